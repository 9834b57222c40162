// The worker's pacer pauses between captures, after a slice of work, only for handoffs of moderate
// traffic (their batch gathered slowly) that arrive on time.
import { expect } from 'chai';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Pacer } = require('../../dist/transport/pacer.js');

describe('Pacer', () => {
  it('pauses for a handoff of moderate traffic that arrives on time', () => {
    const pacer = new Pacer();
    pacer.arrived(Date.now(), true);
    expect(pacer.pausing).to.equal(true);
  });

  it('works flat out for a handoff that filled fast (heavy load)', () => {
    const pacer = new Pacer();
    pacer.arrived(Date.now(), false);
    expect(pacer.pausing).to.equal(false);
  });

  it('stops pausing once a handoff arrives late, and resumes when they are on time again', () => {
    const pacer = new Pacer();
    pacer.arrived(Date.now() - 1_000, true);
    expect(pacer.pausing).to.equal(false);
    pacer.pause();
    pacer.arrived(Date.now(), true);
    expect(pacer.pausing).to.equal(true);
  });

  it('pauses with a real sleep that returns, once its slice of work is used up', () => {
    const pacer = new Pacer();
    pacer.arrived(Date.now(), true);
    for (let i = 0; i < 10; i++) {
      const until = performance.now() + 0.3;
      while (performance.now() < until);
      pacer.pause();
    }
  });
});
