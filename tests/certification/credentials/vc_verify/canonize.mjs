/**
 * Canonicalize a JSON-LD document with jsonld.js + rdf-canonize (RDFC-1.0), offline.
 *
 * stdin:  {"documents": [{...}, ...], "safe": bool}
 * stdout: one line {"nquads": ["<canonical N-Quads>" | {"error": "..."}, ...]}
 *
 * The Python tests compare their canonicalizer with this one on awkward strings (control
 * characters, astral-plane characters): interoperability is what a signature needs.
 */
import jsonld from 'jsonld';
import {makeDocumentLoader, readStdinJson} from './loader.mjs';

async function main() {
  const {documents, safe = true} = await readStdinJson();
  const documentLoader = makeDocumentLoader();
  const nquads = [];
  for(const document of documents) {
    try {
      nquads.push(await jsonld.canonize(document, {
        algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe,
        // the Python side allows more work for symmetric graphs than the default
        canonizeOptions: {maxWorkFactor: 3}
      }));
    } catch(error) {
      nquads.push({error: String(error.message || error)});
    }
  }
  process.stdout.write(JSON.stringify({nquads}) + '\n');
}

main();
