import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import compress from '@fastify/compress'
import helmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { composePages } from '../services/pages/compose.js'

/** The customer pages: static files in `web/`, served as they are (no build step). */
const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web')
/** The chart library, served from its npm package as installed: never from a CDN. */
const UPLOT_DIST = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist')
const UPLOT_FILES = new Set(['uPlot.esm.js', 'uPlot.min.css'])

/** Path → file under web/pages (see services/pages/compose). The emails link to the two token pages. */
export const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/signup': 'signup.html',
  '/login': 'login.html',
  '/forgot-password': 'forgot-password.html',
  '/reset-password': 'reset-password.html',
  '/verify-email': 'verify-email.html',
  '/dashboard': 'dashboard.html',
}

/** Assets are revalidated on each load (ETag), so a deployment's new files are picked up at once. */
function revalidate(reply: FastifyReply): void {
  reply.header('cache-control', 'no-cache')
}

/** Pages whose address holds a secret: never cached, never sent on as a referrer. */
const TOKEN_PAGES = new Set(['/reset-password', '/verify-email'])

/**
 * Registered encapsulated (not through fastify-plugin), so its security headers and compression
 * apply to the pages and their assets only, not to the API's routes.
 */
export default async function webPages(app: FastifyInstance) {
  const https = app.config.appUrl.startsWith('https:')
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // The token pages' links must not leak to another origin; the other pages have nothing to leak either.
    referrerPolicy: { policy: 'no-referrer' },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
  })
  await app.register(compress, { global: true, threshold: 1024 })

  await app.register(fastifyStatic, {
    root: join(WEB_ROOT, 'assets'),
    prefix: '/assets/',
    cacheControl: false,
    setHeaders: revalidate,
  })
  await app.register(fastifyStatic, {
    root: UPLOT_DIST,
    prefix: '/assets/vendor/uplot/',
    decorateReply: false,
    allowedPath: (path) => UPLOT_FILES.has(path.replace(/^\//, '')),
    cacheControl: false,
    setHeaders: revalidate,
  })

  // Composed once at start and answered from memory.
  for (const [path, html] of composePages(WEB_ROOT, PAGES)) {
    app.get(path, { schema: { hide: true } }, (_request, reply) => {
      reply.header('cache-control', TOKEN_PAGES.has(path) ? 'no-store' : 'no-cache')
      return reply.type('text/html; charset=utf-8').send(html)
    })
  }
}
