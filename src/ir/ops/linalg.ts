// Linear algebra, convolution and pooling ops; each family lives in its own linalg-*.ts file.
import './linalg-matmul.js';
import './linalg-conv.js';
import './linalg-pool.js';
