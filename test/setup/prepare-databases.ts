import { preparePgliteTemplate, preparePostgresTemplate, testDatabaseUrl } from './databases.js'

// Run once by tap before the test files: migrate a template they all copy.
if (testDatabaseUrl) await preparePostgresTemplate()
else await preparePgliteTemplate()
