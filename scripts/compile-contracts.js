// Build step: compile contracts/*.sol with the npm solc into contracts/out/.
const { compileContracts } = require('../dist/libs/contracts/src/compile');
const names = compileContracts().map((a) => a.contractName);
console.log(`compiled ${names.join(', ')} with solc ${require('solc/package.json').version}`);
