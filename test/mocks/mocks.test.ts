// Proves the mock upstreams speak wire formats the official SDKs accept, and that faults behave.
// Run: node --import tsx --test test/mocks/mocks.test.ts
import './openai.cases.js';
import './anthropic.cases.js';
import './gemini.cases.js';
import './faults.cases.js';
