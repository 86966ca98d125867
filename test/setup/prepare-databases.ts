import { dropStaleTestDatabases, preparePgliteTemplate, preparePostgresTemplate, removeOrphanedPgliteCopies, testDatabaseUrl } from './databases.js'

// Run once by tap before the test files: the migrated template they all copy.
if (testDatabaseUrl) {
  await dropStaleTestDatabases()
  await preparePostgresTemplate()
} else {
  removeOrphanedPgliteCopies()
  await preparePgliteTemplate()
}
