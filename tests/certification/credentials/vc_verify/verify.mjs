/**
 * Verify a credential with Digital Bazaar's stack, independently of the Python code.
 *
 * stdin:  {"credential": {...}, "statusLists": {"<url>": {...signed status list VC...}},
 *          "didWeb": {"documents": {"<https url>": {...}}, "origins": {"<https origin>": "<url>"}}}
 * stdout: one line {"verified": bool, "errors": [...], "revoked": bool|null}
 *
 * "verified" means authentic and within its validity period (proof, issuer key, and, when the
 * status list is given, that list's own proof and issuer). "revoked" is the status bit, or null
 * when the credential's status list was not handed in.
 */
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {makeDocumentLoader, readStdinJson} from './loader.mjs';

function messages(error) {
  if(!error) {
    return [];
  }
  if(Array.isArray(error)) {
    return error.flatMap(messages);
  }
  const nested = error.errors ? messages(error.errors) : [];
  return [String(error.message || error), ...nested];
}

async function main() {
  const {credential, statusLists = {}, didWeb = {}} = await readStdinJson();
  const documentLoader = makeDocumentLoader({statusLists, didWeb});
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const statusUrl = credential?.credentialStatus?.statusListCredential;
  const haveList = Boolean(statusUrl) && Object.hasOwn(statusLists, statusUrl);
  let revoked = null;
  const errors = [];

  async function statusCheck(options) {
    if(!haveList) {
      return {verified: true};
    }
    const result = await checkStatus(options);
    if(result.verified) {
      // one result per BitstringStatusListEntry; ours carry one, for revocation
      revoked = result.results.some(
        entry => entry.credentialStatus.statusPurpose === 'revocation' &&
          entry.status === true);
    } else {
      errors.push(...messages(result.error));
    }
    return result;
  }

  const result = await vc.verifyCredential({
    credential, suite, documentLoader, checkStatus: statusCheck
  });
  for(const entry of result.results || []) {
    if(!entry.verified) {
      errors.push(...messages(entry.error));
    }
  }
  errors.push(...messages(result.error));
  const unique = [...new Set(errors)];
  process.stdout.write(JSON.stringify(
    {verified: Boolean(result.verified), errors: unique, revoked}) + '\n');
}

main().catch(error => {
  process.stdout.write(JSON.stringify(
    {verified: false, errors: messages(error), revoked: null}) + '\n');
});
