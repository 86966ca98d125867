import argon2 from 'argon2'
import { ARGON2_OPTIONS, hashPassword } from '../../src/services/passwords.js'

const ROUNDS = 40
const PASSWORD = 'benchmark password, not a secret'

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN
}

async function time(label: string, fn: () => Promise<unknown>) {
  await fn() // warm-up
  const samples: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now()
    await fn()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  console.log(`${label.padEnd(16)} median ${percentile(samples, 0.5).toFixed(1)} ms   p95 ${percentile(samples, 0.95).toFixed(1)} ms   (${ROUNDS} rounds)`)
}

/** The cost of the password hash, which bounds login throughput and is why login is rate-limited. */
export async function benchPasswordHash(): Promise<void> {
  const { memoryCost, timeCost, parallelism } = ARGON2_OPTIONS
  console.log(`argon2id m=${memoryCost} KiB, t=${timeCost}, p=${parallelism}`)
  const hash = await hashPassword(PASSWORD)
  await time('argon2id hash', () => hashPassword(PASSWORD))
  await time('argon2id verify', () => argon2.verify(hash, PASSWORD))
}
