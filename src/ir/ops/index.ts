// Imports every op definition file so the registry is complete.
import './elementwise.js';
import './linalg.js';
import './normalize.js';
import './shape.js';
