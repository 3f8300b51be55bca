// Import rules for quantization, loss and linear-algebra extras (see op-table.ts for the shape of a rule).
import { OpRule } from './op-table.js';

export const QUANT_RULES: Record<string, () => OpRule | undefined> = {};
