export * from './users.js'
export * from './refresh-tokens.js'
export * from './one-time-tokens.js'
export * from './api-keys.js'
