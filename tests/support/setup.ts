import { installFunctionsCore } from '../../devhost/functions-core.js';

// The devhost's stand-in for the Functions worker module must be resolvable before any test
// imports `@azure/functions`.
installFunctionsCore();
