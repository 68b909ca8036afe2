import { cwdRelativePath } from './cwdRelativePath';
import { dynamicCodeExecution } from './dynamicCodeExecution';
import { hardcodedAbsolutePath } from './hardcodedAbsolutePath';
import { hardcodedCloudUri } from './hardcodedCloudUri';
import { hardcodedSecret } from './hardcodedSecret';
import { loggingNeverConfigured } from './loggingNeverConfigured';
import { missingRandomState } from './missingRandomState';
import { printInsteadOfLogging } from './printInsteadOfLogging';
import { swallowedException } from './swallowedException';
import type { Rule } from './types';
import { uncheckedCliArgument } from './uncheckedCliArgument';
import { unloggedTrainingLoop } from './unloggedTrainingLoop';
import { unpinnedPretrainedModel } from './unpinnedPretrainedModel';
import { unsafeDeserialization } from './unsafeDeserialization';
import { unseededTraining } from './unseededTraining';
import { unvalidatedDataframe } from './unvalidatedDataframe';
import { unvalidatedRequestInput } from './unvalidatedRequestInput';
import { unversionedModelSave } from './unversionedModelSave';

/** Every rule, sorted by code. A meta test keeps this list complete and in order. */
export const RULES: readonly Rule[] = [
  printInsteadOfLogging,
  swallowedException,
  unloggedTrainingLoop,
  loggingNeverConfigured,
  hardcodedAbsolutePath,
  hardcodedCloudUri,
  cwdRelativePath,
  unsafeDeserialization,
  unvalidatedDataframe,
  unvalidatedRequestInput,
  uncheckedCliArgument,
  dynamicCodeExecution,
  unversionedModelSave,
  unpinnedPretrainedModel,
  missingRandomState,
  unseededTraining,
  hardcodedSecret,
];

export function findRule(codeOrName: string): Rule | undefined {
  const key = codeOrName.trim();
  return RULES.find((r) => r.code === key.toUpperCase() || r.name === key.toLowerCase());
}
