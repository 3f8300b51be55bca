// Import rules for recurrent, signal-processing and detection operators (see op-table.ts for the shape of a rule).
import { OpRule } from './op-table.js';

export const SEQUENCE_MODEL_RULES: Record<string, () => OpRule | undefined> = {};
