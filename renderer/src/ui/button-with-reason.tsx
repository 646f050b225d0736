import { Button } from './button';
import type { ButtonProps } from './button';

/**
 * A button that says why it cannot be used: `why` stands beside it in words, tied to it by aria-describedby, and is
 * its title unless `title` says more. Null `why`: a plain button. The caller still decides `disabled`.
 */
export function ButtonWithReason({ why, whyId, title, children, ...rest }: ButtonProps & { why: string | null; whyId: string }) {
  return (
    <>
      <Button {...rest} title={title ?? why ?? undefined} aria-describedby={why !== null ? whyId : undefined}>
        {children}
      </Button>
      {why !== null && (
        <span id={whyId} className="muted small">
          {why}
        </span>
      )}
    </>
  );
}
