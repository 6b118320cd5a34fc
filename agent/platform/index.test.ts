import { describe, expect, it } from 'vitest';
import { currentPlatform, platformFor } from './index.js';

describe('platform choice', () => {
  it('chooses by process.platform', () => {
    expect(platformFor('linux').name).toBe('linux');
    expect(platformFor('win32').name).toBe('windows');
  });

  it('refuses an unsupported OS with a clear message', () => {
    expect(() => platformFor('darwin')).toThrow(/does not support this operating system.*darwin.*supported: linux/);
  });

  it.runIf(process.platform === 'linux' || process.platform === 'win32')('gives the same backend on every call', () => {
    expect(currentPlatform()).toBe(currentPlatform());
  });
});
