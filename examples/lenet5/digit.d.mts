// Types of digit.mjs, for the example projects' TypeScript.
export declare function readFloat32Npy(path: string): { data: Float32Array; shape: number[] };
export declare function topClass(logits: ArrayLike<number>): { index: number; p: number };
