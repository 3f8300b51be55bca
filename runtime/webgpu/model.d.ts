// The module a wgsl package generates beside its entries (model.js): the compiled model's plan, shaders
// included, and its manifest. Declared here so the entries type-check; the bundler leaves it external.
import type { WgslPlan } from './plan.js';

export declare const plan: WgslPlan;

export declare const manifest: {
  readonly name: string;
  readonly inputs: readonly { name: string; dtype: string; shape: readonly string[] }[];
  readonly outputs: readonly { name: string; dtype: string; shape: readonly string[] }[];
  readonly params: readonly { name: string; dtype: string; shape: readonly string[] }[];
  readonly symbols: readonly string[];
  /** weight names the model declares but does not read: accepted and skipped when the weights load */
  readonly ignoredParams: readonly string[];
};
