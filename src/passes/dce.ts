// Dead-code elimination: nodes whose results reach no graph output, and params nothing reads.
// Every op is free of side effects, so reachability from the outputs is the whole story.
import { definePass } from './pass.js';
import { eraseDeadNodes } from './rewrite.js';

export const dce = definePass({
  name: 'dce',
  summary: 'remove nodes that do not reach a graph output, and params that no node reads',
  run(graph) {
    eraseDeadNodes(graph);
  },
});
