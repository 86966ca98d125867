import type { Route } from '../fixtures/bom/server.js'
import { fixture, sendBytes } from '../fixtures/bom/server.js'

export const VIC_INDEX = '/climate/dwo/IDCJDW0300.shtml'
const GROUPS = ['vic-a-e', 'vic-f-k', 'vic-l', 'vic-m-r', 'vic-s-z']
export const MELBOURNE_OCTOBER = '/climate/dwo/202510/text/IDCJDW3050.202510.csv'
export const MELBOURNE_NOVEMBER = '/climate/dwo/202511/text/IDCJDW3050.202511.csv'

const html = (name: string): Route => sendBytes(fixture(`html/${name}`), 'text/html; charset=utf-8')
export const csv = (name: string): Route => sendBytes(fixture(`csv/${name}`), 'text/csv')

/** The VIC catalogue pages and Melbourne (Olympic Park)'s October and November 2025 files. */
export function vicSite(overrides: Record<string, Route> = {}): Record<string, Route> {
  const routes: Record<string, Route> = { [VIC_INDEX]: html('IDCJDW0300.shtml') }
  for (const group of GROUPS) routes[`/climate/dwo/${group}.shtml`] = html(`${group}.shtml`)
  routes[MELBOURNE_OCTOBER] = csv('IDCJDW3050.202510.csv')
  routes[MELBOURNE_NOVEMBER] = csv('IDCJDW3050.202511.partial.csv')
  return { ...routes, ...overrides }
}
