// @vitest-environment jsdom
/** Issue #12.8: the wizard tells the web host it is done with its uploaded files when it is closed for another file. */
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { ImportWizard } from '../../../renderer/src/features/import/import-wizard';
import { connection, preview } from './fake-bridge';
import { useFakeEngine } from './setup';

describe('wizard: uploaded files are released (#12.8)', () => {
  it('"Choose another file" releases the upload the wizard was working on', async () => {
    const b = useFakeEngine({ 'connections:list': () => [connection()], 'audiences:list': () => [], 'import:preview': () => preview(), 'import:release': () => null });
    await useApp.getState().loadConnections();
    render(<ImportWizard />);
    await useApp.getState().openFile(new File(['x'], 'cohort.csv'));
    const path = useApp.getState().file!.path;
    expect(b.callsTo('import:release')).toEqual([]);
    fireEvent.click(await screen.findByRole('button', { name: 'Choose another file' }));
    expect(b.callsTo('import:release')).toEqual([{ paths: [path] }]);
    expect(useApp.getState().file).toBeNull();
  });
});
