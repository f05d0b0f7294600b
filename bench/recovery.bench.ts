/**
 * Sender recovery per second on one core: native libsecp256k1 against ethers' pure-JS path, over
 * the same pre-signed transaction digests, through the function the gateway itself calls.
 */
import { nativeRecoveryAvailable, recoverSigner, type RecoveryBackend } from '@sealane/protocol';
import { median, opsPerSecond, progress, TransferSigner, type Row, type SignedTransfer } from './support';

const DIGESTS = 2048;
const REPS = 3;
const NATIVE_MS = 2000;
/** The JS path manages only a few hundred per second, so it gets longer runs to count enough. */
const JS_MS = 3000;

function rate(txs: SignedTransfer[], backend: RecoveryBackend, ms: number): number {
  return opsPerSecond((i) => {
    const t = txs[i % txs.length];
    recoverSigner(t.digest, t.r, t.s, t.yParity, backend);
  }, ms);
}

export async function benchRecovery(): Promise<Row[]> {
  if (!nativeRecoveryAvailable()) throw new Error('native secp256k1 is not available: nothing to compare');
  const txs = new TransferSigner().sign(DIGESTS);

  // Both backends must give the sender that signed, or the speeds compare different work.
  for (const backend of ['native', 'js'] as const) {
    const wrong = txs.filter(
      (t, i) => i < 64 && recoverSigner(t.digest, t.r, t.s, t.yParity, backend) !== t.from,
    );
    if (wrong.length)
      throw new Error(`${backend} recovery returned a wrong sender for ${wrong.length} of 64`);
  }

  // Warm both paths up (JIT, lazy tables in the JS curve code) before anything is counted.
  rate(txs, 'native', 300);
  rate(txs, 'js', 500);

  // Alternate the backends so that a noisy neighbour slows both alike rather than one.
  const native: number[] = [];
  const js: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    native.push(rate(txs, 'native', NATIVE_MS));
    js.push(rate(txs, 'js', JS_MS));
    progress(
      `recovery rep ${rep + 1}/${REPS}: native ${native[rep].toFixed(0)}/s, js ${js[rep].toFixed(0)}/s`,
    );
  }
  const n = median(native);
  const j = median(js);
  const spread = (xs: number[]) => `min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;
  return [
    {
      name: 'recovery: native libsecp256k1',
      value: n,
      unit: 'recoveries/s',
      note: `1 core, median of ${REPS} x ${NATIVE_MS / 1000} s (${spread(native)})`,
    },
    {
      name: 'recovery: pure JS (ethers)',
      value: j,
      unit: 'recoveries/s',
      note: `1 core, median of ${REPS} x ${JS_MS / 1000} s (${spread(js)})`,
    },
    { name: 'recovery: native / JS', value: n / j, unit: 'x', note: 'same digests, same function' },
  ];
}
