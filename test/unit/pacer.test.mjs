// The worker's pacer pauses between captures only while handoffs reach it on time.
import { expect } from 'chai';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Pacer } = require('../../dist/transport/pacer.js');

describe('Pacer', () => {
  it('pauses while handoffs arrive on time', () => {
    const pacer = new Pacer();
    pacer.arrived(Date.now());
    expect(pacer.pausing).to.equal(true);
  });

  it('stops pausing once a handoff arrives late, and resumes when they are on time again', () => {
    const pacer = new Pacer();
    pacer.arrived(Date.now() - 1_000);
    expect(pacer.pausing).to.equal(false);
    pacer.pause();
    pacer.arrived(Date.now());
    expect(pacer.pausing).to.equal(true);
  });

  it('pauses with a real sleep that returns', () => {
    const pacer = new Pacer();
    pacer.arrived(Date.now());
    for (let i = 0; i < 10; i++) pacer.pause();
  });
});
