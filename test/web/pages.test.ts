import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PAGES } from '../../src/plugins/web.js'
import { build, json } from '../helper.js'

const WEB = join(process.cwd(), 'web')

t.test('every page is served as HTML with its security headers', async (t) => {
  const ctx = await build(t)
  for (const [path, file] of Object.entries(PAGES)) {
    const response = await ctx.app.inject({ method: 'GET', url: path })
    t.equal(response.statusCode, 200, `${path} answers`)
    t.match(response.headers['content-type'], /^text\/html/, `${path} is HTML`)
    t.match(response.body, /^<!doctype html>\n<html lang="en">/, `${path} is a whole page`)
    t.ok(response.body.includes(readFileSync(join(WEB, 'pages', file), 'utf8').replace(/^<!-- page .* -->\n(<!-- slot: nav -->\n[\s\S]*?<!-- \/slot -->\n)?/, '')), `${path} holds ${file}`)
    const csp = String(response.headers['content-security-policy'])
    t.match(csp, /script-src 'self'(;|$)/, `${path}: scripts from this origin only, none inline`)
    t.match(csp, /frame-ancestors 'none'/, `${path}: never framed`)
    t.match(csp, /default-src 'self'/)
    t.equal(response.headers['x-content-type-options'], 'nosniff')
    t.equal(response.headers['referrer-policy'], 'no-referrer', `${path}: no referrer leaves the page`)
    t.equal(response.headers['x-frame-options'], 'DENY')
  }
  for (const tokenPage of ['/reset-password?token=abc', '/verify-email?token=abc']) {
    t.equal((await ctx.app.inject({ method: 'GET', url: tokenPage })).headers['cache-control'], 'no-store', `${tokenPage} is never cached`)
  }
})

t.test('the pages hold no inline script or style and load nothing from another origin', async (t) => {
  const ctx = await build(t)
  t.same(readdirSync(join(WEB, 'pages')).sort(), Object.values(PAGES).sort(), 'every page file is served, and only those')
  for (const [path, file] of Object.entries(PAGES)) {
    const html = (await ctx.app.inject({ method: 'GET', url: path })).body
    t.equal((html.match(/<script /g) ?? []).length, 1, `${file}: one script, its own module`)
    t.match(html, new RegExp(`<script type="module" src="/assets/js/pages/[a-z-]+\\.js"></script>`))
    t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${file}: no inline script`)
    t.notMatch(html, /\sstyle=|<style/, `${file}: no inline style`)
    t.notMatch(html, /\s(src|href)="(https?:)?\/\//, `${file}: nothing from another origin`)
    t.notMatch(html, /\son[a-z]+=/, `${file}: no inline event handler`)
  }
})

t.test('assets: the pages’ own files and the vendored chart library, nothing else of node_modules', async (t) => {
  const ctx = await build(t)
  const js = await ctx.app.inject({ method: 'GET', url: '/assets/js/api.js' })
  t.equal(js.statusCode, 200)
  t.match(js.headers['content-type'], /javascript/)
  t.equal(js.headers['cache-control'], 'no-cache', 'revalidated, so a deployment is picked up at once')
  t.match((await ctx.app.inject({ method: 'GET', url: '/assets/css/app.css' })).headers['content-type'], /^text\/css/)
  const chart = await ctx.app.inject({ method: 'GET', url: '/assets/vendor/uplot/uPlot.esm.js', headers: { 'accept-encoding': 'gzip' } })
  t.equal(chart.statusCode, 200, 'uPlot is served from its npm package')
  t.equal(chart.headers['content-encoding'], 'gzip', 'compressed for a client that accepts it')
  for (const hidden of ['/assets/vendor/uplot/package.json', '/assets/vendor/uplot/uPlot.cjs.js', '/assets/vendor/uplot/../../../package.json', '/assets/../src/app.ts']) {
    t.equal((await ctx.app.inject({ method: 'GET', url: hidden })).statusCode, 404, `${hidden} is not served`)
  }
})

t.test('the API keeps its own headers: the pages’ policy is not applied to JSON routes', async (t) => {
  const ctx = await build(t)
  const response = await ctx.app.inject({ method: 'GET', url: '/api/tiers' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-security-policy'], undefined)
  t.same(json(response).tiers, [
    { name: 'free', monthly_quota: 100, rate_limit_per_hour: 10, max_api_keys: 10 },
    { name: 'pro', monthly_quota: 5000, rate_limit_per_hour: 100, max_api_keys: 10 },
    { name: 'enterprise', monthly_quota: null, rate_limit_per_hour: 1000, max_api_keys: 10 },
  ], 'GET /api/tiers lists the tiers table, public')
})
