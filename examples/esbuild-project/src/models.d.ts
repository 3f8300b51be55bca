// What an import of a model file gives: the compiled package's Model and manifest. (The package's own
// index.d.ts has the exact input and output names; these are the shapes every package shares.)
declare module '*.ds' {
  type TensorIn = { data: Float32Array; shape: number[] };
  type TensorOut = { data: Float32Array; shape: number[] };
  export const manifest: { name: string; inputs: { name: string }[]; outputs: { name: string }[] };
  export class Model {
    static load(weights: string | Uint8Array): Promise<Model>;
    run(inputs: Record<string, TensorIn>): Record<string, TensorOut> | Promise<Record<string, TensorOut>>;
    dispose(): void;
  }
}
