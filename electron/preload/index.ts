import { contextBridge } from 'electron';

// The contract-typed window.api arrives with the desktop-shell issue; nothing of ipcRenderer is exposed.
contextBridge.exposeInMainWorld('api', Object.freeze({ version: 1 }));
