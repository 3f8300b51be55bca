/** A dense row-major tensor: f16/bf16 as 16-bit patterns, bool as bytes 0/1. */
export interface Tensor<A, S> {
    data: A;
    shape: S;
}
/** The inputs of torch_jit; symbolic dims (N) may change from call to call. */
export interface Inputs {
    /** f32[N, 3, 224, 224] */
    input: Tensor<Float32Array, readonly [number, 3, 224, 224]>;
}
/** The outputs of torch_jit, freshly allocated by each run. */
export interface Outputs {
    /** f32[N, 1000] */
    output: Tensor<Float32Array, [number, 1000]>;
}
export interface LoadOptions {
    /** threads a run may use (default: all cores) */
    threads?: number;
}
export interface TensorInfo {
    readonly name: string;
    readonly dtype: string;
    readonly shape: readonly string[];
}
/** What the model takes and gives: the manifest the package was generated from. */
export declare const manifest: {
    readonly name: string;
    readonly inputs: readonly TensorInfo[];
    readonly outputs: readonly TensorInfo[];
    readonly params: readonly TensorInfo[];
    readonly symbols: readonly string[];
};
/** Model torch_jit, compiled ahead of time by dsc. Weights are checked by name, dtype and shape when they load; inputs before every run. */
export declare class Model {
    private readonly native;
    private constructor();
    /** Loads weights from a safetensors file (memory-mapped) or its bytes (copied). */
    static load(weights: string | Uint8Array, options?: LoadOptions): Promise<Model>;
    /** Runs the model on this thread; throws an Error naming the input when an input does not fit. */
    run(inputs: Inputs): Outputs;
    /** Runs the model on a libuv worker thread; the inputs are copied, so they may be reused at once. */
    runAsync(inputs: Inputs): Promise<Outputs>;
    /** Releases the weights and the workspace; later runs throw. */
    dispose(): void;
}
