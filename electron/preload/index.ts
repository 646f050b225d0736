/**
 * The preload: exposes window.api (contract functions, `on`, `pathForFile`) and nothing else. Bundled as
 * one CommonJS file (electron.vite.config.ts) because a sandboxed preload cannot load modules.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildPreloadApi } from './api';
import type { PreloadApi } from './api';

const api: PreloadApi = buildPreloadApi(ipcRenderer, webUtils);
contextBridge.exposeInMainWorld('api', api);
