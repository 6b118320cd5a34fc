/** GB/T 32918 default SM2 distinguishing ID, which Chinese CAs sign with. Its own module: light to import. */
export const SM2_DEFAULT_ID = '1234567812345678';

/**
 * Which SM2 distinguishing ID verified: 'gbt' = 1234567812345678 (the standard's default, used by Chinese CAs),
 * 'empty' = the empty ID OpenSSL 3.0 uses when none is given (certificates made without -sigopt distid:...).
 */
export type Sm2Id = 'gbt' | 'empty';
