// Shape and data-movement ops; see README.md in this folder. They are split by theme:
// layout (reshape, transpose, slice, pad, ...), indexing (gather/scatter, ...), resize and
// tensor creation (constant, range, shape, ...).
import './shape-layout.js';
import './shape-index.js';
import './shape-resize.js';
import './shape-create.js';
