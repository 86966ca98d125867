import { dropTestDatabases, testDatabaseUrl } from './databases.js'

// Run once by tap after the test files.
if (testDatabaseUrl) await dropTestDatabases()
