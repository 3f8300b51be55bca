// What the shared GPU mapping passes know of a GPU-like target, as data the target passes in: its
// hardware limits and its preferred mapping per op class (measured per target: WGSL's on lavapipe,
// docs/WGSL.md). A kernel's Schedule.gpu may override the workgroup size and the GEMM tile.
import { GemmTile } from '../kernel-ir.js';

export interface GpuLimits {
  /** most invocations (threads) in one workgroup (thread block) */
  maxWorkgroupSize: number;
  /** bytes of workgroup (shared) memory one workgroup may allocate */
  sharedMemoryBytes: number;
}

/**
 * Workgroup size and tiling per op class. elementwise: one invocation per grid point, straight-line
 * body; serial: one invocation per grid point running loops (pools, short reductions); rows: one
 * workgroup per grid point whose reduction loops run at least minLength iterations, split over the
 * invocations and combined by a tree in workgroup memory; gemm: one workgroup per tile of C, for C of
 * at least minRows × minCols; dot: one invocation per element of a smaller C, its dot product a loop.
 */
export interface GpuMapping {
  limits: GpuLimits;
  elementwise: { workgroup: number };
  serial: { workgroup: number };
  rows: { workgroup: number; minLength: number };
  gemm: GemmTile & { minRows: number; minCols: number };
  dot: { workgroup: number };
}

export type OpClass = Exclude<keyof GpuMapping, 'limits'>;
