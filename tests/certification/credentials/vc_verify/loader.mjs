/**
 * The verifier's offline JSON-LD document loader.
 *
 * Contexts come from the Python package's bundled files (certification/credentials/vc/contexts/, via its
 * index.json), so both sides are guaranteed to process the very same documents; did:key DIDs
 * are resolved locally by Digital Bazaar's did:key driver; status list credentials are only
 * those handed in.
 *
 * did:web DIDs are resolved by Digital Bazaar's did:web driver (@digitalbazaar/did-method-web),
 * which turns the DID into its https URL and fetches it; its fetch is replaced so that it only
 * reaches what the test allows: a DID document handed in (`didWeb.documents`, by https URL), or
 * an origin mapped to the test server (`didWeb.origins`, e.g. "https://localhost:8123" ->
 * "http://localhost:8123", the live server speaking plain HTTP). Anything else is an error:
 * nothing is ever fetched from the network.
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {DidWebDriver} from '@digitalbazaar/did-method-web';

const here = dirname(fileURLToPath(import.meta.url));
export const CONTEXTS_DIR = join(here, '..', '..', '..', '..', 'certification', 'credentials', 'vc', 'contexts');

function bundledContexts() {
  const index = JSON.parse(readFileSync(join(CONTEXTS_DIR, 'index.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    contexts.set(url, JSON.parse(readFileSync(join(CONTEXTS_DIR, file), 'utf8')));
  }
  return contexts;
}

function offlineFetch({documents = {}, origins = {}}) {
  return async function fetch(input, init) {
    const url = typeof input === 'string' ? input : input.url;
    if(Object.hasOwn(documents, url)) {
      return new Response(JSON.stringify(documents[url]), {
        status: 200, headers: {'content-type': 'application/json'}
      });
    }
    const {origin, pathname, search} = new URL(url);
    if(Object.hasOwn(origins, origin)) {
      return globalThis.fetch(origins[origin] + pathname + search, {
        headers: {accept: 'application/json'}, redirect: 'error'
      });
    }
    throw new Error(`offline did:web resolver: ${url} is neither given nor mapped`);
  };
}

export function makeDocumentLoader({statusLists = {}, didWeb = {}} = {}) {
  const contexts = bundledContexts();
  const didKey = didKeyDriver();
  didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  const allowList = [
    ...Object.keys(didWeb.documents || {}), ...Object.keys(didWeb.origins || {})
  ].map(url => new URL(url).host);
  const didWebResolver = new DidWebDriver({
    allowList,
    fetchOptions: {timeout: 5000, fetch: offlineFetch(didWeb)}
  });
  return async function documentLoader(url) {
    let document;
    if(contexts.has(url)) {
      document = structuredClone(contexts.get(url));
    } else if(url.startsWith('did:key:')) {
      document = await didKey.get({url});
    } else if(url.startsWith('did:web:')) {
      document = await didWebResolver.get({url});
    } else if(Object.hasOwn(statusLists, url)) {
      document = statusLists[url];
    } else {
      throw new Error(`offline document loader: ${url} is not bundled or given`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

export async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
