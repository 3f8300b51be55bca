/** A dense row-major tensor: f16/bf16 as 16-bit patterns, bool as bytes 0/1. */
export interface Tensor<A, S> {
    data: A;
    shape: S;
}
/** The inputs of Resnet18; symbolic dims (N) may change from call to call. */
export interface Inputs {
    /** f32[N, 3, 224, 224] */
    input: Tensor<Float32Array, readonly [number, 3, 224, 224]>;
}
/** The outputs of Resnet18, freshly allocated by each run. */
export interface Outputs {
    /** f32[N, 1000] */
    output: Tensor<Float32Array, [number, 1000]>;
}
export interface LoadOptions {
    /** threads a run may use (default: all cores) */
    threads?: number;
    /** time every kernel of each run; read the times from `lastProfile` (default false) */
    profile?: boolean;
}
/** One kernel call of a profiled run, in call order. */
export interface KernelTiming {
    readonly kernel: string;
    readonly ms: number;
}
/** The kernel times of one run (`{ profile: true }` at load): the same table on every target. */
export interface RunProfile {
    /** the sum of the kernel times */
    readonly totalMs: number;
    readonly kernels: readonly KernelTiming[];
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
    readonly ignoredParams: readonly string[];
};
/** Model Resnet18, compiled ahead of time by dsc. Weights are checked by name, dtype and shape when they load; inputs before every run. */
export declare class Model {
    private readonly native;
    private constructor();
    /** The kernels' instruction set on this CPU: "avx512", "avx2" or "baseline" (the environment variable DSC_CPU_ISA can force a supported one). */
    get isa(): string;
    /** Loads weights from a safetensors file (memory-mapped; a relative path is resolved against the process's working directory) or its bytes (copied). With no weights, loads the ones bundled in the package (weights.safetensors beside index.js), when it has them. */
    static load(weights?: string | Uint8Array, options?: LoadOptions): Promise<Model>;
    /** Runs the model off the JavaScript thread (a libuv worker); the inputs are copied first, so they may be reused at once. Rejects with an Error naming the input when an input does not fit. */
    run(inputs: Inputs): Promise<Outputs>;
    /** Runs the model on this thread (no copy of the inputs); throws an Error naming the input when an input does not fit. */
    runSync(inputs: Inputs): Outputs;
    /** Releases the weights and the workspace; later runs throw. */
    dispose(): void;
    /** The kernel times of the last finished run when the model was loaded with `{ profile: true }`, else null. */
    get lastProfile(): RunProfile | null;
}
