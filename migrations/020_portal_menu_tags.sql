-- Menu tags as Nano's own web portal names them (issue 16): its sidebar shows a page only for
-- the tags dashboard, compute_pool, address_pool, storage_pool, instance, image, media,
-- templates, policies, user, log and visibility. Four of Nimbus's first names differ; roles
-- keep their order and every other tag (an inert label since this migration; image_server
-- granted nothing) as it was.
UPDATE roles SET menu = ARRAY(
    SELECT t FROM (SELECT CASE m WHEN 'disk_image' THEN 'image'
                                 WHEN 'media_image' THEN 'media'
                                 WHEN 'system_template' THEN 'templates'
                                 WHEN 'security_policy' THEN 'policies'
                                 ELSE m END AS t,
                          min(i) AS i
                     FROM unnest(menu) WITH ORDINALITY AS u(m, i) GROUP BY 1) renamed
     ORDER BY i)
 WHERE menu && ARRAY['disk_image', 'media_image', 'system_template', 'security_policy'];

-- The built-in admin role shows the portal's every page, in its sidebar's order.
UPDATE roles SET menu = ARRAY['dashboard', 'compute_pool', 'address_pool', 'storage_pool',
                              'instance', 'image', 'media', 'templates', 'policies', 'user',
                              'log', 'visibility']
 WHERE name = 'admin';
