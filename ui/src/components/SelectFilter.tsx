/** A list filter kept in the address: "any" (no value) or one of its options. */
export const SelectFilter = ({
  label,
  value,
  options,
  onChange,
}: {
  readonly label: string;
  readonly value: string | undefined;
  readonly options: readonly (string | { readonly value: string; readonly label: string })[];
  readonly onChange: (value: string | undefined) => void;
}) => (
  <label>
    {label}
    <select value={value ?? ''} onChange={(event) => onChange(event.target.value || undefined)}>
      <option value="">any</option>
      {options.map((option) => {
        const { value: key, label: text } = typeof option === 'string' ? { value: option, label: option.toLowerCase() } : option;
        return (
          <option key={key} value={key}>
            {text}
          </option>
        );
      })}
    </select>
  </label>
);
