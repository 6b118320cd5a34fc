// sm-crypto 0.5 ships no types; only the part the engine uses is declared.
declare module 'sm-crypto' {
  interface Sm2VerifyOptions {
    /** The signature is DER (SEQUENCE { r, s }) rather than r||s. */
    der?: boolean;
    /** Compute Z from the user id and public key, then e = SM3(Z || msg) (GB/T 32918). */
    hash?: boolean;
    /** The distinguishing ID; sm-crypto's default is "1234567812345678". */
    userId?: string;
    publicKey?: string;
  }
  const smCrypto: {
    sm2: {
      doVerifySignature(msg: string | number[], signHex: string, publicKeyHex: string, options?: Sm2VerifyOptions): boolean;
    };
  };
  export default smCrypto;
}
