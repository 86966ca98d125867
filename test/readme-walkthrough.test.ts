import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { loggedLink } from './failure/server-process.js'
import { eventually } from './helpers/eventually.js'
import { startFreshInstall } from './helpers/fresh-install.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** The walk-through's shell block, cut into its numbered steps. */
function walkthroughSteps(): string[] {
  const section = README.slice(README.indexOf('## Five minutes with the API'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1]
  if (!block) throw new Error('the README has no walk-through block')
  return block.split(/\n(?=# \d+\. )/).map((step) => step.trim())
}

/** One shell for the whole walk-through, as a person's terminal keeps its variables. */
function terminal(cwd: string) {
  const shell = spawn('bash', ['--norc', '--noprofile'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  shell.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  let count = 0
  return {
    /** Types the lines and answers what they printed. */
    async run(lines: string): Promise<string> {
      const marker = `__step_${++count}_done__`
      const start = output.length
      shell.stdin.write(`${lines}\necho; echo ${marker}\n`)
      for (let waited = 0; !output.includes(marker, start); waited += 20) {
        if (waited > 30_000) throw new Error(`the step did not finish: ${output.slice(start)}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return output.slice(start, output.indexOf(marker, start)).trim()
    },
    close: () => shell.kill(),
  }
}

t.test("the README's five-minute walk-through works as pasted against npm start", async (t) => {
  const steps = walkthroughSteps()
  t.equal(steps.length, 6, 'six steps')
  const { server, port, dataDir } = await startFreshInstall(t, 'walkthrough')
  const shell = terminal(dataDir)
  t.teardown(shell.close)
  // The lines as written, with only the port changed: the test's service cannot take 3000.
  const pasted = (step: string) => step.replaceAll('http://localhost:3000', `http://localhost:${port}`)

  const signup = JSON.parse(await shell.run(pasted(steps[0]!)))
  t.match(signup, { success: true, email_sent: true }, 'signed up')

  const link = await loggedLink(server, 'you@example.com', '/verify-email?token=')
  const token = new URL(link).searchParams.get('token')!
  t.ok(link.startsWith(`http://localhost:${port}/verify-email`), 'the logged link points at this service')
  t.match(steps[1], 'VERIFY_TOKEN=paste-the-token-here', 'the reader pastes the token where the README says')
  const verified = JSON.parse(await shell.run(pasted(steps[1]!).replace('paste-the-token-here', token)))
  t.match(verified, { success: true }, 'verified')

  t.equal(await shell.run(pasted(steps[2]!)), '', 'logging in prints nothing')
  t.match(await shell.run('printf %s "$ACCESS"'), /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, 'ACCESS holds the access token')

  const key = await shell.run(pasted(steps[3]!))
  t.match(key, /^fw_[\w-]{20,}$/, 'the key is printed once')

  const weather = JSON.parse(await shell.run(pasted(steps[4]!)))
  t.match(weather, { success: true, station_id: 'IDCJDW3050', metadata: { date_from: '2025-10-01', date_to: '2025-10-07' } })
  t.equal(weather.data.length, 7, 'a week of observations')

  // Usage rows are written in batches every 100 ms after the answer: a person's next command comes
  // seconds later, this shell's within milliseconds on a busy machine, so wait for the batch first.
  const access = await shell.run('printf %s "$ACCESS"')
  const counted = await eventually(
    async () => (await fetch(`http://localhost:${port}/api/usage/monthly`, { headers: { authorization: `Bearer ${access}` } }).then((r) => r.json())) as { quota: { requests_used: number } },
    (answer) => answer.quota.requests_used === 1,
    5_000,
  )
  t.equal(counted.value.quota.requests_used, 1, 'the call is counted')
  const usage = JSON.parse(await shell.run(pasted(steps[5]!)))
  t.match(usage, { success: true, usage: { total_requests: 1, successful_requests: 1 }, quota: { requests_used: 1 } }, 'one request counted')
})
