/**
 * An independent wallet: the OpenWallet Foundation's OpenID4VCI client (@openid4vc/openid4vci,
 * the library Credo's wallets use) takes a credential from the portal, as a phone would after
 * scanning the QR. It shares no code with the portal.
 *
 * stdin:  {"offer": "openid-credential-offer://?credential_offer=...", "proofs": "proofs"|"proof"}
 * stdout: one line {"holderDid", "credential", "configurationId", "accessTokenResponse"} or
 *         {"error": "..."}
 *
 * The holder's key is a fresh Ed25519 key, named by its did:key in the proof's kid. The portal
 * runs over plain http in the tests, so the library is told to allow insecure URLs.
 */
import {createHash, generateKeyPairSync, randomBytes, sign} from 'node:crypto';
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous, setGlobalConfig} from '@openid4vc/oauth2';

setGlobalConfig({allowInsecureUrls: true});

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes) {
  let digits = [0];
  for(const byte of bytes) {
    let carry = byte;
    for(let i = 0; i < digits.length; i++) {
      carry += digits[i] << 8;
      digits[i] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while(carry) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let zeros = '';
  for(const byte of bytes) {
    if(byte !== 0) {
      break;
    }
    zeros += '1';
  }
  return zeros + digits.reverse().map(d => ALPHABET[d]).join('');
}

function base64url(data) {
  return Buffer.from(data).toString('base64url');
}

async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function main() {
  const {offer, proofs = 'proofs'} = await readStdinJson();
  const {publicKey, privateKey} = generateKeyPairSync('ed25519');
  const publicJwk = publicKey.export({format: 'jwk'});
  const raw = Buffer.from(publicJwk.x, 'base64url');
  // did:key: multibase base58btc of the ed25519-pub multicodec (0xed 0x01) and the raw key
  const fingerprint = 'z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
  const holderDid = `did:key:${fingerprint}`;

  const callbacks = {
    fetch,
    clientAuthentication: clientAuthenticationAnonymous(),
    generateRandom: length => new Uint8Array(randomBytes(length)),
    hash: (data, alg) => new Uint8Array(
      createHash(String(alg).toLowerCase().replace('-', '')).update(data).digest()),
    signJwt: async (signer, {header, payload}) => {
      const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
      const signature = sign(null, Buffer.from(input), privateKey);
      return {jwt: `${input}.${base64url(signature)}`, signerJwk: publicJwk};
    }
  };
  const client = new Openid4vciClient({callbacks});
  const credentialOffer = await client.resolveCredentialOffer(offer);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer, issuerMetadata
  });
  const configurationId = credentialOffer.credential_configuration_ids[0];
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: configurationId,
    nonce,
    signer: {method: 'did', didUrl: `${holderDid}#${fingerprint}`, alg: 'EdDSA'}
  });
  const request = proofs === 'proof' ?
    {proof: {proof_type: 'jwt', jwt}} : {proofs: {jwt: [jwt]}};
  const {credentialResponse} = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configurationId,
    ...request
  });
  const credential = credentialResponse.credentials?.[0]?.credential ??
    credentialResponse.credential;
  process.stdout.write(JSON.stringify({
    holderDid, credential, configurationId, version: issuerMetadata.originalDraftVersion
  }) + '\n');
}

main().catch(error => {
  const detail = error?.response ? ` ${JSON.stringify(error.response)}` : '';
  process.stdout.write(JSON.stringify({error: `${error?.name}: ${error?.message}${detail}`}) + '\n');
});
