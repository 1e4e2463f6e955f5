import { Link } from 'react-router';
import { usePolicyVersions, usePolicyYaml } from '../../api/queries.js';
import { Drawer } from '../../components/Drawer.js';
import { Loaded } from '../../components/states.js';
import { scopeQuery, useScope } from '../../shell/scope.js';

/** One policy: its document as YAML (what an edit sends back), its versions, its violations. */
export const PolicyDrawer = ({ id, onClose }: { readonly id: string; readonly onClose: () => void }) => {
  const yaml = usePolicyYaml(id);
  const versions = usePolicyVersions(id);
  const scope = useScope();
  return (
    <Drawer title={`Policy ${id}`} onClose={onClose}>
      <p>
        <Link to={{ pathname: '/violations', search: scopeQuery(scope, { search: id }) }}>Its open violations</Link>
      </p>
      <h3>Document</h3>
      <Loaded query={yaml} what="the policy" empty="" isEmpty={() => false}>
        {(text) => (
          <pre className="document" tabIndex={0} aria-label={`Policy ${id} as YAML`}>
            {text}
          </pre>
        )}
      </Loaded>
      <h3>Versions</h3>
      <Loaded query={versions} what="versions" empty="No version." isEmpty={(data) => data.items.length === 0}>
        {(data) => (
          <ol className="plain">
            {data.items.map((version) => (
              <li key={version.version}>
                v{version.version} {version.change} by {version.actor} at {version.at.replace('T', ' ').slice(0, 19)} ({version.enabled ? 'enabled' : 'disabled'})
              </li>
            ))}
          </ol>
        )}
      </Loaded>
    </Drawer>
  );
};
