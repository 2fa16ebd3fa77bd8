import { Button } from '@fluentui/react-components';
import { DeleteRegular } from '@fluentui/react-icons';
import { useIntl } from 'react-intl';

/** The delete button at the end of a document line, named after the line it removes. */
export function RemoveLineButton(props: { line: number; disabled: boolean; onRemove: () => void }) {
  const intl = useIntl();
  return (
    <Button
      appearance="subtle"
      icon={<DeleteRegular />}
      aria-label={intl.formatMessage(
        { id: 'quote.line.remove', defaultMessage: 'Remove line {line}' },
        { line: props.line },
      )}
      disabled={props.disabled}
      onClick={props.onRemove}
    />
  );
}
