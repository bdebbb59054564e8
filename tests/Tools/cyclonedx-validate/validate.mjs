// Validates CycloneDX 1.6 JSON documents with the CycloneDX library's strict JSON schema validator
// (the one CycloneDX's own tools use; it needs the optional dependencies ajv, ajv-formats and ajv-formats-draft2019).
//
// usage: node validate.mjs <bom.json>...
// Prints "valid: <file>" or the schema errors of each file; exits 1 when any file is invalid, 2 on a usage error.
import { readFile } from 'node:fs/promises'
import { Spec, Validation } from '@cyclonedx/cyclonedx-library'

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node validate.mjs <bom.json>...')
  process.exit(2)
}

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6)
let invalid = 0
for (const file of files) {
  const errors = await validator.validate(await readFile(file, 'utf-8'))
  if (errors === null) {
    console.log(`valid: ${file}`)
  } else {
    invalid++
    console.log(`invalid: ${file}`)
    console.log(JSON.stringify(errors, null, 2))
  }
}
process.exit(invalid === 0 ? 0 : 1)
