/// <reference types="@webgpu/types" />
// The WebGPU executor for models compiled by the wgsl target. It imports nothing from Node, so it
// bundles for browsers; in Node, pass the GPU object from ./node.js.
//
// At load: one pipeline per shader, the weights and constants uploaded into the params buffer. Per
// run: the symbols are read off the input shapes, inputs are written into the data buffer at the
// plan's offsets, every shader is dispatched in one compute pass of one command encoder, and the
// status word and outputs are copied to a staging buffer that is mapped and read. The data buffer
// and the bind groups over it are made at the first run and again only when a run needs more memory.
import { WgslPlan, WgslShader, WgslTensorSlot, evalIndex, bf16Bits, bf16Value, f16Bits, f16Value, workgroupCounts } from './plan.js';
import { readSafetensorsTensors } from './safetensors.js';

/** A tensor on the host: row-major data in its dtype (bool as one byte per element); src/ir Tensor fits. */
export interface HostTensor { dtype: string; shape: readonly number[]; data: ArrayBufferView }

/**
 * An output: typed data for f32, i32, u32, the 8- and 16-bit integers, and i64 (widened from the i32
 * words the shaders compute); f16/bf16 as Uint16Array bit patterns; bool as a Uint8Array of 0/1.
 */
/** One kernel (shader dispatch) of a profiled run, in dispatch order. */
export interface KernelTiming { kernel: string; ms: number }

/** The kernel times of one run: the same table the cpu target's packages give. */
export interface RunProfile { totalMs: number; kernels: KernelTiming[] }

export interface OutputTensor { dtype: string; shape: number[]; data: Float32Array | Int32Array | Uint32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array }

export const NO_ADAPTER = 'no WebGPU adapter: install a Vulkan driver (e.g. Mesa lavapipe) or run in a browser with WebGPU';

/** Messages for the codes a failed check leaves in the status word (the codes of the C ABI). */
const STATUS: Record<number, string> = { 4: 'an index read from a tensor is out of range (gather, scatter, loss target, unpool, sequence length)' };

const bytesOf = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** Bytes of one element on the host, by dtype; every other dtype is one 32-bit word. */
const HOST_BYTES: Record<string, number> = { bool: 1, i64: 8, u8: 1, i8: 1, u16: 2, i16: 2, f16: 2, bf16: 2 };

type HostArray = Uint8Array | Int8Array | Uint16Array | Int16Array;
type WordArray = Uint32Array | Int32Array | Float32Array;

/** The 8- and 16-bit types: their host arrays, the word arrays they widen to, and f16/bf16's bits <-> value. */
const WIDENED: Record<string, {
  host: { new (n: number): HostArray; new (b: ArrayBufferLike, at: number, n: number): HostArray };
  word: { new (n: number): WordArray; new (b: ArrayBufferLike, at: number, n: number): WordArray };
  value?: (bits: number) => number;
  bits?: (value: number) => number;
}> = {
  u8: { host: Uint8Array, word: Uint32Array }, i8: { host: Int8Array, word: Int32Array },
  u16: { host: Uint16Array, word: Uint32Array }, i16: { host: Int16Array, word: Int32Array },
  f16: { host: Uint16Array, word: Float32Array, value: f16Value, bits: f16Bits },
  bf16: { host: Uint16Array, word: Float32Array, value: bf16Value, bits: bf16Bits },
};

/** The bytes themselves when 4-byte aligned, else an aligned copy, for 32-bit views. */
const aligned = (bytes: Uint8Array) => (bytes.byteOffset % 4 === 0 ? bytes : bytes.slice());

/**
 * Host bytes of a tensor as the words the buffers store: bool and the 8- and 16-bit types widened to a
 * word each, i64 narrowed to i32 once every value is known to fit, and f32 as f16 pairs when `half`
 * (the last word padded).
 */
function toWords(t: HostTensor, dtype: string, count: number, what: string, half: boolean): Uint8Array {
  if (t.dtype !== dtype) throw new Error(`${what} has dtype ${t.dtype}; the model expects ${dtype}`);
  const bytes = bytesOf(t.data);
  const elementBytes = HOST_BYTES[dtype] ?? 4;
  if (bytes.byteLength !== count * elementBytes) throw new Error(`${what} holds ${bytes.byteLength} bytes; the model expects ${count * elementBytes}`);
  if (half) {
    const a = aligned(bytes), values = new Float32Array(a.buffer, a.byteOffset, count);
    const halves = new Uint16Array(count + (count & 1));
    for (let i = 0; i < count; i++) halves[i] = f16Bits(values[i]);
    return bytesOf(halves);
  }
  if (dtype === 'bool') {
    const words = new Uint32Array(count);
    for (let i = 0; i < count; i++) words[i] = bytes[i] ? 1 : 0;
    return bytesOf(words);
  }
  const widened = WIDENED[dtype];
  if (widened) {
    const a = aligned(bytes), values = new widened.host(a.buffer, a.byteOffset, count), words = new widened.word(count);
    for (let i = 0; i < count; i++) words[i] = widened.value ? widened.value(values[i]) : values[i];
    return bytesOf(words);
  }
  if (dtype === 'i64') {
    // little-endian halves: a value fits i32 when its high word is the sign extension of its low word
    const a = aligned(bytes), halves = new Int32Array(a.buffer, a.byteOffset, count * 2);
    const words = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const low = halves[2 * i];
      if (halves[2 * i + 1] !== low >> 31) {
        const value = (BigInt(halves[2 * i + 1]) << 32n) + BigInt(low >>> 0);
        throw new Error(`${what}: element ${i} is ${value}, outside the i32 range the wgsl target computes i64 values in`);
      }
      words[i] = low;
    }
    return bytesOf(words);
  }
  return bytes;
}

/** Whether the plan stores tensors of this dtype as f16 (precision f16 stores every f32 tensor so). */
const storedHalf = (plan: WgslPlan, dtype: string) => plan.precision === 'f16' && dtype === 'f32';

/**
 * Stored words back as an output: f16 pairs (`half`) widened to f32, i64 widened from i32, the 8- and
 * 16-bit types narrowed from their words (f16/bf16 to bit patterns), bool as 0/1 bytes.
 */
function fromWords(words: Uint8Array, dtype: string, shape: number[], half: boolean): OutputTensor {
  const copy = words.slice();
  if (half) {
    const halves = new Uint16Array(copy.buffer);
    return { dtype: 'f32', shape, data: Float32Array.from({ length: product(shape) }, (_, i) => f16Value(halves[i])) };
  }
  const widened = WIDENED[dtype];
  if (widened) {
    const count = product(shape), words = new widened.word(copy.buffer, 0, count), host = new widened.host(count);
    for (let i = 0; i < count; i++) host[i] = widened.bits ? widened.bits(words[i]) : words[i];
    return { dtype, shape, data: host };
  }
  switch (dtype) {
    case 'f32': return { dtype, shape, data: new Float32Array(copy.buffer) };
    case 'i32': return { dtype, shape, data: new Int32Array(copy.buffer) };
    case 'u32': return { dtype, shape, data: new Uint32Array(copy.buffer) };
    case 'i64': return { dtype, shape, data: BigInt64Array.from(new Int32Array(copy.buffer), (w) => BigInt(w)) };
    default: return { dtype, shape, data: Uint8Array.from(new Uint32Array(copy.buffer), (w) => (w ? 1 : 0)) };
  }
}

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export class WebGpuModel {
  private dataBuffer: GPUBuffer | null = null;
  private dataBytes = 0;
  private bindGroups: GPUBindGroup[] = [];

  private constructor(
    readonly plan: WgslPlan,
    private readonly device: GPUDevice,
    private readonly pipelines: GPUComputePipeline[],
    private readonly paramsBuffer: GPUBuffer,
    private readonly symbolsBuffer: GPUBuffer,
    /** whether the model created its device (and so destroys it) or was given one */
    private readonly ownsDevice: boolean,
  ) {}

  /**
   * Create the device (or use the one given, which the caller keeps owning), the pipelines and the
   * params buffer; `weights` is safetensors bytes or tensors by name.
   */
  static async load(gpu: GPU | GPUDevice, plan: WgslPlan, weights: Uint8Array | ReadonlyMap<string, HostTensor> = new Map()): Promise<WebGpuModel> {
    const given = 'createBuffer' in gpu ? gpu : undefined;
    const adapter = given ? undefined : await (gpu as GPU).requestAdapter();
    if (!given && !adapter) throw new Error(NO_ADAPTER);
    const { limits, features } = given ?? adapter!;
    const source = given ? 'device' : 'adapter';
    const paramsBytes = Math.max(4, plan.paramsWords * 4);
    if (paramsBytes > limits.maxStorageBufferBindingSize)
      throw new Error(`${plan.name}: the weights need a ${paramsBytes}-byte storage buffer; this ${source} allows ${limits.maxStorageBufferBindingSize} (maxStorageBufferBindingSize)`);
    for (const s of plan.shaders)
      if (s.workgroupSize > limits.maxComputeInvocationsPerWorkgroup || s.workgroupSize > limits.maxComputeWorkgroupSizeX)
        throw new Error(`${plan.name}: shader ${s.name} needs workgroups of ${s.workgroupSize}; this ${source} allows ${Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX)}`);
    if (plan.precision === 'f16' && !features.has('shader-f16'))
      throw new Error(`${plan.name}: compiled with precision f16, but this WebGPU ${source} has no shader-f16 feature; compile with --precision f32`);
    const device = given ?? await adapter!.requestDevice({
      // timestamp-query where the adapter has it, for per-kernel timers (run with { profile: true })
      requiredFeatures: [...(plan.precision === 'f16' ? ['shader-f16' as const] : []), ...(features.has('timestamp-query') ? ['timestamp-query' as const] : [])],
      requiredLimits: { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize, maxBufferSize: limits.maxBufferSize },
    });

    device.pushErrorScope('validation');
    const pipelines = plan.shaders.map((s) => device.createComputePipeline({
      label: s.name, layout: 'auto', compute: { module: device.createShaderModule({ label: s.name, code: s.code }), entryPoint: 'main' },
    }));
    const error = await device.popErrorScope();
    if (error) throw new Error(`${plan.name}: a shader failed to compile: ${error.message}`);

    const tensors = weights instanceof Uint8Array ? readSafetensorsTensors(weights) : weights;
    const params = new Uint8Array(paramsBytes);
    for (const slot of plan.params) {
      const t = tensors.get(slot.name);
      if (!t) throw new Error(`${plan.name}: the weights have no tensor ${slot.name}`);
      const shape = slot.shape.map((d) => evalIndex(d, {}));
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
        throw new Error(`${plan.name}: weight ${slot.name} has shape [${t.shape.join(', ')}]; the model expects [${shape.join(', ')}]`);
      params.set(toWords(t, slot.dtype, product(shape), `weight ${slot.name}`, storedHalf(plan, slot.dtype)), evalIndex(slot.offset, {}) * 4);
    }
    for (const c of plan.constants) {
      if (storedHalf(plan, c.dtype)) {
        new Uint16Array(params.buffer, c.offset * 4, c.values.length).set(c.values.map(f16Bits));
        continue;
      }
      const view = c.dtype === 'f32' ? new Float32Array(params.buffer, c.offset * 4, c.values.length)
        : c.dtype === 'i32' ? new Int32Array(params.buffer, c.offset * 4, c.values.length) : new Uint32Array(params.buffer, c.offset * 4, c.values.length);
      view.set(c.values);
    }
    const paramsBuffer = device.createBuffer({ label: 'params', size: paramsBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(paramsBuffer, 0, params);
    const symbolsBuffer = device.createBuffer({ label: 'symbols', size: Math.max(16, Math.ceil(plan.symbols.length / 4) * 16), usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    return new WebGpuModel(plan, device, pipelines, paramsBuffer, symbolsBuffer, !given);
  }

  /** Make (or grow) the data buffer and the bind groups over it. */
  private ensureData(bytes: number): void {
    if (this.dataBuffer && this.dataBytes >= bytes) return;
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) throw new Error(`${this.plan.name}: this run needs a ${bytes}-byte data buffer; the device allows ${limit} (maxStorageBufferBindingSize)`);
    this.dataBuffer?.destroy();
    this.dataBuffer = this.device.createBuffer({ label: 'data', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    this.dataBytes = bytes;
    const resources: Record<string, GPUBuffer> = { params: this.paramsBuffer, data: this.dataBuffer, symbols: this.symbolsBuffer, params16: this.paramsBuffer, data16: this.dataBuffer };
    const slots = { params: 0, data: 1, symbols: 2, params16: 3, data16: 4 };
    this.bindGroups = this.plan.shaders.map((s: WgslShader, i) => this.device.createBindGroup({
      label: s.name, layout: this.pipelines[i].getBindGroupLayout(0),
      entries: s.bindings.map((b) => ({ binding: slots[b], resource: { buffer: resources[b] } })),
    }));
  }

  /** The kernel times of the last run made with `{ profile: true }`. */
  lastProfile: RunProfile | null = null;

  /** How `{ profile: true }` times kernels: GPU timestamps around each shader's pass, or CPU time around one submit per shader. */
  get profileMethod(): 'timestamp-query' | 'cpu' {
    return this.device.features.has('timestamp-query') ? 'timestamp-query' : 'cpu';
  }

  /** Each dispatch in its own compute pass with GPU timestamps at its start and end: kernel times in ms. */
  private async timestampedDispatches(dispatch: (pass: GPUComputePassEncoder, i: number) => boolean): Promise<KernelTiming[]> {
    const count = this.plan.shaders.length;
    const querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 * Math.max(1, count) });
    const resolved = this.device.createBuffer({ size: 16 * Math.max(1, count), usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const readback = this.device.createBuffer({ size: 16 * Math.max(1, count), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder({ label: `${this.plan.name} (profiled)` });
    const launched: number[] = [];
    for (let i = 0; i < count; i++) {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * launched.length, endOfPassWriteIndex: 2 * launched.length + 1 } });
      if (dispatch(pass, i)) launched.push(i);
      pass.end();
    }
    if (launched.length) {
      encoder.resolveQuerySet(querySet, 0, 2 * launched.length, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, readback, 0, 16 * launched.length);
    }
    this.device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const stamps = new BigUint64Array(readback.getMappedRange().slice(0));
    readback.unmap();
    for (const b of [readback, resolved]) b.destroy();
    querySet.destroy();
    return launched.map((i, k) => ({ kernel: this.plan.shaders[i].name, ms: Number(stamps[2 * k + 1] - stamps[2 * k]) / 1e6 }));
  }

  /**
   * Run the model on inputs by name; resolves to the outputs by name. With `profile`, each shader runs
   * in its own pass, timed by GPU timestamps where the device has timestamp-query, else submitted alone
   * and timed on the CPU from its submit until the queue is done with it (lastProfile).
   */
  async run(inputs: Record<string, HostTensor> | ReadonlyMap<string, HostTensor>, opts: { profile?: boolean } = {}): Promise<Map<string, OutputTensor>> {
    const plan = this.plan;
    const get = (name: string): HostTensor | undefined =>
      (inputs instanceof Map ? (inputs as ReadonlyMap<string, HostTensor>).get(name) : (inputs as Record<string, HostTensor>)[name]);
    const given = plan.inputs.map((slot) => {
      const t = get(slot.name);
      if (!t) throw new Error(`${plan.name}: input ${slot.name} is missing`);
      return t;
    });
    const syms: Record<string, number> = {};
    for (const s of plan.symbols) syms[s.variable] = given[s.from.input].shape[s.from.axis];
    const shapeOf = (slot: WgslTensorSlot) => slot.shape.map((d) => evalIndex(d, syms));

    const dataWords = evalIndex(plan.dataWords, syms);
    this.ensureData(dataWords * 4);
    const queue = this.device.queue;
    const data = this.dataBuffer!;
    queue.writeBuffer(this.symbolsBuffer, 0, new Int32Array(Math.max(4, Math.ceil(plan.symbols.length / 4) * 4)).map((_, i) => (i < plan.symbols.length ? syms[plan.symbols[i].variable] : 0)));
    queue.writeBuffer(data, plan.statusWord * 4, new Uint32Array(1));
    plan.inputs.forEach((slot, i) => {
      const shape = shapeOf(slot), t = given[i];
      if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k]))
        throw new Error(`${plan.name}: input ${slot.name} has shape [${t.shape.join(', ')}]; the model expects [${shape.join(', ')}]`);
      const words = toWords(t, slot.dtype, product(shape), `input ${slot.name}`, storedHalf(plan, slot.dtype));
      if (words.byteLength) queue.writeBuffer(data, evalIndex(slot.offset, syms) * 4, words);
    });

    const dispatch = (pass: GPUComputePassEncoder, i: number): boolean => {
      const s = plan.shaders[i];
      const invocations = evalIndex(s.invocations, syms);
      if (invocations <= 0) return false;
      pass.setPipeline(this.pipelines[i]);
      pass.setBindGroup(0, this.bindGroups[i]);
      pass.dispatchWorkgroups(...workgroupCounts(invocations, s.workgroupSize));
      return true;
    };
    if (opts.profile && this.profileMethod === 'timestamp-query') {
      const kernels = await this.timestampedDispatches(dispatch);
      this.lastProfile = { totalMs: kernels.reduce((sum, k) => sum + k.ms, 0), kernels };
    } else if (opts.profile) {
      // the uploads above are done before the first shader's clock starts
      await queue.onSubmittedWorkDone();
      const kernels: KernelTiming[] = [];
      for (let i = 0; i < plan.shaders.length; i++) {
        const one = this.device.createCommandEncoder({ label: plan.shaders[i].name });
        const pass = one.beginComputePass();
        const launched = dispatch(pass, i);
        pass.end();
        if (!launched) continue;
        const t0 = performance.now();
        queue.submit([one.finish()]);
        await queue.onSubmittedWorkDone();
        kernels.push({ kernel: plan.shaders[i].name, ms: performance.now() - t0 });
      }
      this.lastProfile = { totalMs: kernels.reduce((sum, k) => sum + k.ms, 0), kernels };
    }
    const encoder = this.device.createCommandEncoder({ label: plan.name });
    if (!opts.profile) {
      const pass = encoder.beginComputePass();
      for (let i = 0; i < plan.shaders.length; i++) dispatch(pass, i);
      pass.end();
    }
    const outputs = plan.outputs.map((slot) => ({ slot, shape: shapeOf(slot), offset: evalIndex(slot.offset, syms) * 4 }));
    const sizes = outputs.map((o) => (storedHalf(plan, o.slot.dtype) ? Math.ceil(product(o.shape) / 2) : product(o.shape)) * 4);
    const stagingBytes = 16 + sizes.reduce((a, b) => a + b, 0);
    const staging = this.device.createBuffer({ label: 'readback', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(data, plan.statusWord * 4, staging, 0, 4);
    let at = 16;
    outputs.forEach((o, i) => {
      if (sizes[i]) encoder.copyBufferToBuffer(data, o.offset, staging, at, sizes[i]);
      at += sizes[i];
    });
    queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const bytes = new Uint8Array(staging.getMappedRange()).slice();
    staging.unmap();
    staging.destroy();

    const status = new Uint32Array(bytes.buffer, 0, 1)[0];
    if (status !== 0) throw new Error(`${plan.name}: the run failed with code ${status}${STATUS[status] ? `: ${STATUS[status]}` : ''}`);
    const result = new Map<string, OutputTensor>();
    at = 16;
    outputs.forEach((o, i) => {
      result.set(o.slot.name, fromWords(bytes.subarray(at, at + sizes[i]), o.slot.dtype, o.shape, storedHalf(plan, o.slot.dtype)));
      at += sizes[i];
    });
    return result;
  }

  /** Release the GPU buffers and the device. */
  destroy(): void {
    this.dataBuffer?.destroy();
    this.paramsBuffer.destroy();
    this.symbolsBuffer.destroy();
    if (this.ownsDevice) this.device.destroy();
  }
}
