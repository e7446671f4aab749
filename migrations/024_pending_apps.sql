-- Astakos's limit on pending project applications: the resource astakos.pending_app
-- (astakos/api/services.py), held in each user's base project and charged by
-- db/pending_apps.c while an application of the user's is pending.
--
-- base_limit 2 and project_default 0 are what Synnefo's own deployment sets
-- (snf-deploy: resource-modify --system-default 2 / --project-default 0 astakos.pending_app);
-- a resource registered bare would be unlimited. As in Synnefo it is hidden from the API
-- (api_visible false: GET /resources and GET /quotas leave it out; an operator may show it,
-- as `snf-manage resource-modify astakos.pending_app --api-visible=True` does) and from the
-- UI. The insert trigger of 018 grants it to every initialized project at once: base
-- projects 2, the others 0.
INSERT INTO resources (name, service, service_type, unit, description, base_limit,
                       project_default, ui_visible, api_visible)
VALUES ('astakos.pending_app', 'astakos_account', 'account', NULL,
        'Number of pending project applications', 2, 0, false, false);

-- The applications pending now already count, on both holdings of the applicant's base
-- project (the user's and the project's own), as Synnefo's reconcile-resources-astakos
-- counts them (count_pending_app).
INSERT INTO holdings (project_id, user_id, resource_id, usage_min, usage_max)
SELECT p.id, k.user_id, r.id, n.count, n.count
  FROM (SELECT applicant_id, count(*) FROM project_applications
         WHERE state = 'pending' AND applicant_id IS NOT NULL GROUP BY applicant_id) n
  JOIN projects p ON p.base_of = n.applicant_id
 CROSS JOIN LATERAL (VALUES (NULL::bigint), (n.applicant_id)) AS k(user_id)
  JOIN resources r ON r.name = 'astakos.pending_app'
 ORDER BY p.id, k.user_id NULLS FIRST;
