import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { freePort, loggedLink, spawnServer, waitForHealth } from './failure/server-process.js'
import { startBomServer } from './fixtures/bom/server.js'
import { vicSite } from './weather/bom-site.js'

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
  const dataDir = mkdtempSync(join(tmpdir(), 'fetcha-walkthrough-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const bom = await startBomServer(vicSite())
  t.teardown(bom.close)
  const port = await freePort()
  const server = spawnServer(port, { DATA_DIR: dataDir, BOM_BASE_URL: bom.baseUrl, LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0' })
  t.teardown(async () => {
    server.child.kill('SIGTERM')
    await server.exited
  })
  await waitForHealth(server, 60_000)
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

  const usage = JSON.parse(await shell.run(pasted(steps[5]!)))
  t.match(usage, { success: true, usage: { total_requests: 1, successful_requests: 1 }, quota: { requests_used: 1 } }, 'one request counted')
})
