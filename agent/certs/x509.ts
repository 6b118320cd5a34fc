// @peculiar/x509 2.x uses tsyringe, which needs the Reflect metadata polyfill loaded before it: import the library
// only through this module so the order can never be wrong.
import 'reflect-metadata';
export * as x509 from '@peculiar/x509';
