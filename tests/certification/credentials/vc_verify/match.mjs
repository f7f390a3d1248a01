/**
 * Offline holder match, as a relying party would do it with only the credential in hand:
 * recompute OB 3.0's IdentityHash of the identity number it was shown and compare it with the
 * credential's hashed `nationalIdentityNumber` IdentityObject. Uses only node:crypto, none of
 * the portal's code.
 *
 * stdin:  {"credential": {...}, "identityNumber": "..."}
 * stdout: {"matches": bool, "found": bool}  (found: the credential carries such an identifier)
 */
import {createHash, timingSafeEqual} from 'node:crypto';
import {readStdinJson} from './loader.mjs';

function identityHash(value, salt) {
  return 'sha256$' + createHash('sha256').update(value + salt, 'utf8').digest('hex');
}

async function main() {
  const {credential, identityNumber} = await readStdinJson();
  const identifiers = [].concat(credential?.credentialSubject?.identifier ?? []);
  const entry = identifiers.find(identity =>
    identity?.type === 'IdentityObject' &&
    identity.identityType === 'nationalIdentityNumber');
  if(!entry) {
    process.stdout.write(JSON.stringify({matches: false, found: false}) + '\n');
    return;
  }
  // A resident ID number is written without spaces, its check character upper-case (X).
  const normalised = String(identityNumber).replace(/\s+/g, '').toUpperCase();
  const expected = Buffer.from(String(entry.identityHash).toLowerCase());
  const actual = Buffer.from(entry.hashed ?
    identityHash(normalised, entry.salt ?? '') : normalised);
  const matches = expected.length === actual.length && timingSafeEqual(expected, actual);
  process.stdout.write(JSON.stringify({matches, found: true}) + '\n');
}

main().catch(error => {
  process.stderr.write(String(error?.stack || error) + '\n');
  process.exit(1);
});
