import { useEffect, useState } from 'react';

/** A text box whose value reaches the address (and so the server) a moment after typing stops. */
export const SearchBox = ({
  label,
  value,
  onChange,
}: {
  readonly label: string;
  readonly value: string | undefined;
  readonly onChange: (value: string) => void;
}) => {
  const [text, setText] = useState(value ?? '');
  useEffect(() => {
    const timer = setTimeout(() => text !== (value ?? '') && onChange(text), 250);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);
  return <input type="search" aria-label={label} placeholder={label} value={text} onChange={(event) => setText(event.target.value)} />;
};
