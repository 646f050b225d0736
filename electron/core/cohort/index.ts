/**
 * The cohort pipeline: CSV in, sorted SHA-256 digests out (tiktok-api.md §5), plus the set algebra
 * and the upload files built on them. Plain Node; the renderer reaches it only through the engine.
 */
export { previewCsv, PREVIEW_ROWS, type CsvPreview } from './preview';
export { recordLabels } from './record-labels';
export { csvSafeCell, csvSafeLine, isRejectsReport, REJECTS_HEADER } from './csv-write';
export { readCohortColumns, MAX_COLUMNS_PER_KEY } from './read-cohort-columns';
export { allInvalidMessage, countryColumnOf, readCohort, resolveColumn, type CohortProgress, type CohortResult, type ReadCohortOptions, type RejectRecord } from './read-cohort';
export { readCohortMulti, type MultiCohortResult, type MultiKeyMapping, type ReadCohortMultiOptions } from './read-cohort-multi';
export type { VerifyOptions } from './csv-file';
export { loadSuppression } from './suppression';
export { entriesHolding, MAX_VALUES_PER_SLOT, MULTI_ENTRY_BYTES, MULTI_SLOTS, SINGLE_VALUE_LAYOUT, slotHashes, slotOfKey, slotPeople, slotPositions, suppressEntries, tupleLayout, type MultiSlot, type TupleLayout } from './multi-key';
export {
  normalize,
  phoneWithCountry,
  hashValue,
  maskValue,
  sha256Hex,
  selfTest,
  hashLab,
  TEST_VECTORS,
  type NormalizeResult,
  type HashResult,
  type SelfTestRow,
  type HashLabRow,
} from './normalize';
export {
  HASH_BYTES,
  HashAccumulator,
  applyDiff,
  countHashes,
  diffHashes,
  diffHashesChunked,
  hashSetsEqual,
  hasHash,
  sortHashes,
  sortUniqueInPlace,
  subtractHashes,
  unionHashes,
} from './hash-set';
export {
  BYTES_PER_HASH_LINE,
  MAX_UPLOAD_FILE_BYTES,
  makeTempUploadDir,
  multiBytesPerRow,
  removeUploadDir,
  withTempUploadDir,
  writeRejectsCsv,
  writeUploadFiles,
  writeMultiUploadFiles,
  type UploadFile,
} from './upload-files';
export {
  CSV_DELIMITERS,
  sniffCsv,
  type CsvColumn,
  type CsvDelimiter,
  type CsvEncoding,
  type CsvNewline,
  type CsvSample,
  type DetectedKind,
} from './sniff';
