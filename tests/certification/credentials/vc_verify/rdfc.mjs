/**
 * Canonicalize RDF datasets given as N-Quads with rdf-canonize (RDFC-1.0), the implementation
 * jsonld.js and Digital Bazaar's cryptosuites run: no JSON-LD in between.
 *
 * stdin:  {"datasets": ["<n-quads>", ...], "maxWorkFactor": number | null, "timeoutMs": number,
 *          "permute": [["label", ...], ...]}
 * stdout: one line {"nquads": ["<canonical N-Quads>" | {"error": "..."}, ...],
 *                   "permutations": [[["label", ...], ...], ...]}
 *
 * rdf-canonize refuses a dataset once Hash N-Degree Quads has run more than
 * (number of blank nodes sharing a first-degree hash) ** maxWorkFactor times. Its default, 1,
 * which the verifiers use, refuses every clique of blank nodes, and K6 needs more than 4, so the
 * differential test runs without a limit (null; JSON has no Infinity) on datasets our own
 * implementation has already bounded, and at 1 on those it refuses. A dataset that takes longer
 * than timeoutMs (default 20 s) is abandoned with an error rather than hanging the test.
 *
 * "permute" (optional) lists label lists to run through rdf-canonize's Permuter: the order in
 * which Hash N-Degree Quads tries permutations decides ties the spec leaves open.
 */
import canonize from 'rdf-canonize';
import Permuter from 'rdf-canonize/lib/Permuter.js';

async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function main() {
  const {datasets, maxWorkFactor = 1, timeoutMs = 20000, permute = []} =
    await readStdinJson();
  const nquads = [];
  for(const dataset of datasets) {
    try {
      nquads.push(await canonize.canonize(dataset, {
        algorithm: 'RDFC-1.0',
        inputFormat: 'application/n-quads',
        format: 'application/n-quads',
        maxWorkFactor: maxWorkFactor === null ? Infinity : maxWorkFactor,
        signal: AbortSignal.timeout(timeoutMs)
      }));
    } catch(error) {
      nquads.push({error: String(error.message || error)});
    }
  }
  const permutations = permute.map(labels => {
    const permuter = new Permuter(labels.slice());
    const all = [];
    while(permuter.hasNext()) {
      all.push(permuter.next());
    }
    return all;
  });
  process.stdout.write(JSON.stringify({nquads, permutations}) + '\n');
}

main();
