// The Model class of a package compiled for the wgsl target, over the executor. The same class serves
// the browser bundle and the Node entry; they differ only in where the GPU object comes from and how a
// weights path is read, which the entries pass in. Imports nothing from Node.
import { WebGpuModel, HostTensor, RunProfile } from './executor.js';
import { WgslHostDType, WgslPlan, evalIndex } from './plan.js';
import { readSafetensorsTensors } from './safetensors.js';
import type { manifest as Manifest } from './model.js';

/** A tensor as the package's API takes and gives it: row-major data and its shape. */
export interface PackageTensor { data: ArrayBufferView; shape: readonly number[] }

export interface PackageLoadOptions {
  /** the WebGPU entry point: navigator.gpu in a browser; by default the platform's own */
  gpu?: GPU;
  /** time every shader of each run (one submit each, timed on the CPU); read the times from `lastProfile` */
  profile?: boolean;
}

/** What an entry supplies: the platform's GPU object, and the bytes behind a weights path or URL. */
export interface PackagePlatform {
  defaultGpu(): Promise<GPU>;
  readWeights(source: string): Promise<Uint8Array>;
  /** the weights.safetensors shipped beside the package's modules, or undefined when there is none */
  bundledWeights(): Promise<Uint8Array | undefined>;
}

const ARRAY_CLASS: Record<WgslHostDType, { name: string; is: (v: ArrayBufferView) => boolean }> = {
  f32: { name: 'Float32Array', is: (v) => v instanceof Float32Array },
  i32: { name: 'Int32Array', is: (v) => v instanceof Int32Array },
  u32: { name: 'Uint32Array', is: (v) => v instanceof Uint32Array },
  i64: { name: 'BigInt64Array', is: (v) => v instanceof BigInt64Array },
  bool: { name: 'Uint8Array', is: (v) => v instanceof Uint8Array },
  u8: { name: 'Uint8Array', is: (v) => v instanceof Uint8Array },
  i8: { name: 'Int8Array', is: (v) => v instanceof Int8Array },
  u16: { name: 'Uint16Array', is: (v) => v instanceof Uint16Array },
  i16: { name: 'Int16Array', is: (v) => v instanceof Int16Array },
  // f16 and bf16 travel as their bit patterns
  f16: { name: 'Uint16Array', is: (v) => v instanceof Uint16Array },
  bf16: { name: 'Uint16Array', is: (v) => v instanceof Uint16Array },
};

const isStatic = (plan: WgslPlan, i: number) => plan.inputs[i].shape.every((d) => d.k === 'const');

/** An Error with a dsc diagnostic code, as the cpu target's addon throws them. */
const codedError = (code: string, message: string) => Object.assign(new Error(message), { code });

/**
 * The weights by name, refusing a tensor that is neither a parameter nor one the model declares but
 * does not read (manifest.ignoredParams, or PyTorch's `*.num_batches_tracked`), which are skipped.
 */
export function readPackageWeights(manifest: typeof Manifest, bytes: Uint8Array, label: string): Map<string, HostTensor> {
  const tensors = readSafetensorsTensors(bytes);
  const read = new Set(manifest.params.map((p) => p.name));
  const ignored = new Set(manifest.ignoredParams);
  for (const name of tensors.keys()) {
    if (read.has(name)) continue;
    if (!ignored.has(name) && !/(^|\.)num_batches_tracked$/.test(name))
      throw codedError('DSC4007', `${label}: weight '${name}' is not a parameter of model ${manifest.name}`);
    tensors.delete(name);
  }
  return tensors;
}

/** The Model class of one compiled model. */
export function defineModel(plan: WgslPlan, manifest: typeof Manifest, platform: PackagePlatform) {
  return class Model {
    private gpuModel: WebGpuModel | null;
    private readonly profile: boolean;

    private constructor(gpuModel: WebGpuModel, profile: boolean) {
      this.gpuModel = gpuModel;
      this.profile = profile;
    }

    /**
     * Create the device and pipelines and upload the weights: safetensors bytes, or a path (Node) or URL
     * (browser) to them; with none, the weights.safetensors bundled in the package, when it has them.
     */
    static async load(weights?: string | Uint8Array | ArrayBuffer, options: PackageLoadOptions = {}): Promise<Model> {
      const bytes = typeof weights === 'string' ? await platform.readWeights(weights)
        : weights instanceof ArrayBuffer ? new Uint8Array(weights)
        : weights ?? (plan.params.length ? await platform.bundledWeights() : undefined);
      if (!bytes && plan.params.length) throw new Error(`${plan.name}: this package bundles no weights; pass Model.load a safetensors path or its bytes (${plan.params.length} parameters)`);
      const tensors = bytes ? readPackageWeights(manifest, bytes, typeof weights === 'string' ? weights : 'weights buffer') : new Map();
      const gpu = options.gpu ?? (await platform.defaultGpu());
      return new Model(await WebGpuModel.load(gpu, plan, tensors), options.profile === true);
    }

    /** Run the model on the GPU; rejects with an Error naming the input when an input does not fit. */
    async run(inputs: Record<string, PackageTensor | ArrayBufferView>): Promise<Record<string, PackageTensor>> {
      if (!this.gpuModel) throw new Error(`${plan.name}: the model was disposed`);
      const feeds = new Map<string, HostTensor>();
      plan.inputs.forEach((slot, i) => {
        const given = inputs[slot.name];
        if (given === undefined) throw new Error(`${plan.name}: input ${slot.name} is missing`);
        let tensor: PackageTensor;
        if (!ArrayBuffer.isView(given)) tensor = given;
        else if (isStatic(plan, i)) tensor = { data: given, shape: slot.shape.map((d) => evalIndex(d, {})) };
        else throw new Error(`${plan.name}: input ${slot.name} has symbolic dims; pass { data, shape }`);
        const kind = ARRAY_CLASS[slot.dtype];
        if (!kind.is(tensor.data)) throw new Error(`${plan.name}: input ${slot.name} must be a ${kind.name} (${slot.dtype})`);
        feeds.set(slot.name, { dtype: slot.dtype, shape: tensor.shape, data: tensor.data });
      });
      const outputs = await this.gpuModel.run(feeds, { profile: this.profile });
      const result: Record<string, PackageTensor> = {};
      for (const [name, t] of outputs) result[name] = { data: t.data, shape: t.shape };
      return result;
    }

    /** The kernel times of the last run when the model was loaded with `{ profile: true }`, else null. */
    get lastProfile(): RunProfile | null {
      return this.profile ? this.gpuModel?.lastProfile ?? null : null;
    }

    /** Release the GPU buffers and the device; later runs throw. */
    dispose(): void {
      this.gpuModel?.destroy();
      this.gpuModel = null;
    }
  };
}
