// ops: see README.md in this folder
export {};
