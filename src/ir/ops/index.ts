// Imports every op definition file so the registry is complete.
import './elementwise.js';
import './linalg.js';
import './normalize.js';
import './shape.js';
import './recurrent.js';
import './quantize.js';
import './loss.js';
import './linalg-extra.js';
import './signal-windows.js';
import './detection.js';
import './signal.js';
import './sets.js';
