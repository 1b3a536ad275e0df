"""Brazilian Portuguese: every sentence students and instructors read (see ``fcn_course.messages``).

Keys are grouped by area, one section per area, in the order of the package's layers; keep each new key in
its area's section. Values are ``str.format`` templates: ``{name}`` is filled in by the caller, ``{{`` and
``}}`` print braces.

Why this module is long: it is the course's whole catalogue, one entry per sentence, kept in one file so that
a reviewer or a translator reads every sentence in one place (a second language is a second file like it).
"""

MESSAGES = {
    # --- settings, profiles and environment (config, environment) -------------------------------------------
    # --- files the course writes (files) -----------------------------------------------------------------------
    "files.disk_full": (
        "o disco está cheio: não foi possível gravar {path}. Nada ficou gravado pela metade ({path} "
        "continua como estava). Libere espaço em {folder} (ou escolha outra pasta) e rode de novo."
    ),
    "files.no_permission": (
        "sem permissão para gravar {path} ({error}). Nada foi alterado: escolha uma pasta em "
        "que você possa escrever, ou corrija as permissões dela."
    ),
    "files.not_a_folder": (
        "{path} é um arquivo, não uma pasta: a saída precisa de uma pasta. Nada foi alterado; "
        "escolha outra pasta de saída."
    ),
    "files.link": "{path} é um link simbólico: {owner} nunca grava através de links",
    "files.not_ours": "{path} já existe e não foi gravado por {owner}",
    "files.refused": (
        "{count} arquivo(s) de {folder} seriam sobrescritos, e não são desta ferramenta:\n  {problems}\n"
        "Nada foi alterado. Mova esses arquivos para outro lugar, ou escolha outra pasta de saída "
        "(uma pasta nova ou vazia)."
    ),
    # --- data (data, download, synthetic, voc) -----------------------------------------------------------------
    "data.voc_not_found": (
        "Não encontrei o Pascal VOC 2012 em {root}.\n"
        "O curso procura a árvore extraída em {voc} (root é a pasta que CONTÉM VOCdevkit/).\n"
        "Faltam:\n{missing}{hint}\n"
        "Para trabalhar sem o VOC, escolha o perfil demo ({profile_env}=demo antes de abrir o Jupyter): o gêmeo\n"
        "sintético do VOC, em que as FCNs aprendem em minutos numa CPU. Para só conferir que tudo roda, o perfil\n"
        "smoke ({profile_env}=smoke: segundos, nada é aprendido). Ou crie um conjunto sintético com\n"
        "make_synthetic_voc(root).\n"
        "Para obter o VOC (cerca de 2 GB): VOCSubset(..., download=True) ou fcn_course.data.download_voc(root),\n"
        "ou extraia {archive} à mão em {root}."
    ),
    "data.hint_voc2012_folder": "\nParece que você passou a própria pasta VOC2012: use root={root!r}.",
    "data.hint_vocdevkit_folder": "\nParece que você passou a própria pasta VOCdevkit: use root={root!r}.",
    "data.cache_not_an_index": "não contém um índice do subconjunto (uma lista de ids de imagens em 'kept')",
    "data.cache_from_other_data": "foi feito a partir de outros dados (mudou: {changed})",
    "data.cache_unknown_images": "cita imagens que não estão na lista da divisão",
    "data.cache_unreadable": "não pode ser lido ({error})",
    "data.cache_rebuilt": "índice do subconjunto refeito: {path} {problem}",
    "data.cache_not_saved": (
        "Não consegui salvar o índice do subconjunto ({errors}); ele será recalculado da próxima vez."
    ),
    "data.damaged_file": (
        "{path} não pode ser lido ({error}): o arquivo está danificado (uma cópia ou um "
        "download interrompido?). Apague-o e chame fcn_course.data.download_voc(root), que "
        "adiciona os arquivos que faltam e não muda mais nada."
    ),
    "data.listed_files_missing": (
        "{count} arquivo(s) listado(s) na divisão não existe(m): {files}. Chame "
        "fcn_course.data.download_voc(root) para adicionar os arquivos que faltam (nada "
        "mais é alterado), ou tire os ids deles do arquivo da divisão."
    ),
    "data.bad_image_set": "image_set deve ser um de {choices}, não {image_set!r}.",
    "data.min_classes_too_high": (
        "min_classes={min_classes}, mas só {count} classes foram escolhidas ({classes}): "
        "nenhuma imagem passaria no filtro. Use min_classes <= {count} (0 mantém todas "
        "as imagens)."
    ),
    "data.empty_split": (
        "{split} não lista nenhuma imagem. Restaure-o a partir do arquivo do VOC "
        "(download_voc(root, replace=True) reescreve os arquivos do próprio VOC) ou escreva nele "
        "um id de imagem por linha."
    ),
    "data.nothing_kept": (
        "{image_set}: nenhuma das {total} imagens de {split} mostra pelo menos "
        "min_classes={min_classes} de ({classes}). Diminua min_classes ou escolha outras classes."
    ),
    "data.summary": "{image_set}: {kept} de {total} imagens mantidas, com >= {min_classes} de ({classes})",
    "data.summary_first": "; usando as {count} primeiras (max_samples={max_samples})",
    "data.indexing_masks": "indexando as máscaras de {image_set}",
    "data.synthetic_written": "conjunto sintético gerado em {root}",
    "download.incomplete_tree": (
        "{voc} está incompleto: faltam {missing}. Adicionando os arquivos que faltam a "
        "partir do arquivo do VOC; nada do que já está lá é alterado."
    ),
    "download.done": (
        "Pascal VOC 2012 em {voc}: {added} arquivos adicionados, {replaced} substituídos, {kept} mantidos como estavam."
    ),
    "download.and_more": "{shown} e mais {more}",
    "download.restart": ("{partial} não se completou no arquivo certo: baixando {name} de novo, desde o início"),
    "download.checksum_mismatch": (
        "o checksum {algorithm} não confere (veio {got}, esperado {expected}): o "
        "arquivo está truncado ou não é o arquivo do VOC 2012"
    ),
    "download.progress": "baixando {name}",
    "download.connection_ended": (
        "a conexão terminou depois de {received} de {length} bytes; {partial} foi "
        "guardado: chame download_voc de novo para continuar dali."
    ),
    "download.archive_without_voc": "{archive} não contém VOCdevkit/VOC2012 com {parts}.",
    "download.unsafe_member": "Recusei extrair {member!r}: ele aponta para fora de {destination}.",
    "download.failed": (
        "Não consegui baixar o Pascal VOC 2012 ({archive}, cerca de 2 GB) em {root}.\n"
        "Tentei:\n{tried}\n"
        "O que você pode fazer:\n"
        "  1. Confira a conexão com a internet e chame download_voc(root) de novo.\n"
        "  2. Obtenha {archive} de outro jeito (um endereço acima no navegador, um colega, um pendrive) e "
        "extraia-o\n"
        "     em {root}, de modo que {voc} contenha JPEGImages/, SegmentationClass/ e\n"
        "     ImageSets/Segmentation/.\n"
        "  3. Trabalhe sem o VOC: o perfil demo ({profile_env}=demo antes de abrir o Jupyter) usa um gêmeo\n"
        "     sintético em que as FCNs aprendem em minutos numa CPU; o perfil smoke ({profile_env}=smoke) só\n"
        "     confere que tudo roda. Ou crie um conjunto sintético com fcn_course.data.make_synthetic_voc(root)."
    ),
    "synthetic.foreign_folder": (
        "{root} já contém arquivos que o curso não escreveu (não há {marker}); o "
        "conjunto sintético vai para uma pasta só dele: esvazie essa pasta ou aponte "
        "{data_env} para outro lugar."
    ),
    "voc.unknown_classes": "Classe(s) que não existem no VOC: {unknown}. Nomes válidos: {valid}.",
    "voc.classes_not_a_list": (
        "classes deve ser uma lista de nomes, por exemplo ('background', 'bus', 'person'), não {classes!r}."
    ),
    "voc.background_first": (
        "A primeira classe deve ser 'background' (o índice 0 também recebe todas as classes "
        "que você não escolheu); veio {classes}. Exemplo: ('background', 'bus', 'person')."
    ),
    "voc.class_repeated": "Cada classe só pode aparecer uma vez; veio {classes}.",
    "voc.mask_not_palette": (
        "{path}: esperava um PNG de paleta ('P') com índices de classe, veio o modo {mode!r}. "
        "Máscaras coloridas (RGB) precisam antes voltar a ser índices, com voc_colormap()."
    ),
    # The name students read for each Pascal VOC class (legends, tables): "voc.class.<VOC name>".
    "voc.class.background": "fundo",
    "voc.class.aeroplane": "avião",
    "voc.class.bicycle": "bicicleta",
    "voc.class.bird": "pássaro",
    "voc.class.boat": "barco",
    "voc.class.bottle": "garrafa",
    "voc.class.bus": "ônibus",
    "voc.class.car": "carro",
    "voc.class.cat": "gato",
    "voc.class.chair": "cadeira",
    "voc.class.cow": "vaca",
    "voc.class.diningtable": "mesa",
    "voc.class.dog": "cachorro",
    "voc.class.horse": "cavalo",
    "voc.class.motorbike": "moto",
    "voc.class.person": "pessoa",
    "voc.class.pottedplant": "planta",
    "voc.class.sheep": "ovelha",
    "voc.class.sofa": "sofá",
    "voc.class.train": "trem",
    "voc.class.tvmonitor": "tv/monitor",
    # --- backbones and their ImageNet weights (backbones) --------------------------------------------------
    "backbones.unknown": "backbone desconhecido {name!r}; os backbones conhecidos são: {known}",
    "backbones.no_weights": ("{backbone} não tem pesos da ImageNet no registro do curso; use pretrained=False."),
    "backbones.env_not_set": "${env}: não definida",
    "backbones.download_failed": "download de {url}: falhou: {error}",
    "backbones.where_env_folder": "pasta ${env}",
    "backbones.where_env_file": "arquivo ${env}",
    "backbones.where_hub_cache": "cache do torch hub",
    "backbones.file_not_found": "{path} ({where}): não encontrado",
    "backbones.wrong_hash": (
        "{path} ({where}): encontrado, mas o sha256 dele não começa com {prefix}, como "
        "promete o nome {file}: não é o arquivo do torchvision (ou está danificado); "
        "apague-o e baixe-o de novo"
    ),
    "backbones.unusable_file": "{path} ({where}): encontrado, mas inutilizável (apague-o ou substitua-o): {problem}",
    "backbones.weights_help": (
        "Não consegui carregar os pesos da ImageNet do {backbone} (pretrained=True). Tentei:\n"
        "{tried}\n"
        "Arquivo esperado: {file} (pode ser baixado de {url}).\n"
        "Para resolver, escolha um caminho:\n"
        "  - copie {file} para o cache do torch hub: {hub_folder}/\n"
        "  - ou ponha-o numa pasta sua e aponte a variável de ambiente {env} para essa pasta\n"
        "    (ou para o próprio arquivo), por exemplo os.environ['{env}'] = '/caminho/dos/pesos';\n"
        "  - ou treine do zero com pretrained=False (nada é baixado; espere uma mIoU menor)."
    ),
    "backbones.no_conv": "feature_channels: o módulo não tem nenhuma camada Conv2d",
    "data.mask_unknown_indices": (
        "{path} tem pixels com o(s) valor(es) {values}, que não são classes do Pascal VOC (0 a {last}) nem void (255)"
    ),
    "data.mask_size": (
        "{mask} tem {mask_size} pixels (largura x altura), mas a foto {image} tem {image_size}: a "
        "máscara precisa ter o tamanho da sua foto"
    ),
    "data.bad_masks": (
        "{count} de {total} máscara(s) listadas em {split} não são máscaras de classes do Pascal VOC "
        "da sua foto:\n  {problems}\nUma máscara de VOC é um PNG de paleta com o índice da classe "
        "de cada pixel, do tamanho da foto (uma máscara de instâncias de SegmentationObject ou uma "
        "imagem editada e redimensionada não serve). Corrija ou substitua esses arquivos "
        "(download_voc(root, replace=True) restaura os arquivos do VOC), ou tire os ids deles da "
        "lista."
    ),
    # --- the run folder, training and predictions (runs, engine, predict, experiments, report) ---------------
    "engine.phase.train": "treino",
    "engine.phase.val": "validação",
    "engine.epoch_line": (
        "[época {epoch}] [{phase}] perda {loss_mean:.4f} +/- {loss_std:.4f} | mIoU(fg) "
        "{miou_fg:.4f} | tempo {seconds:.1f}s"
    ),
    "engine.progress": "época {epoch} {phase}",
    "engine.progress_loss": "perda={loss:.4f}",
    "engine.loss_not_a_tensor": (
        "loss_fn devolveu {given}, não um tensor: ela precisa devolver a perda do lote (esqueceu o `return loss`?)."
    ),
    "engine.loss_not_a_number": (
        "loss_fn devolveu um tensor de formato {shape}; ela precisa devolver um único "
        "número (um tensor escalar): a perda média sobre os pixels do lote."
    ),
    "engine.loss_not_finite": (
        "A perda é {loss} na época {epoch}, lote {batch}: o treino divergiu. A causa mais comum é uma taxa de "
        "aprendizado alta demais: diminua args['lr'] (por exemplo 10 vezes) e comece de novo com um modelo novo. "
        "Confira também se a perda ignora os pixels void (ignore_index=255) e se os rótulos estão em "
        "0..num_classes-1."
    ),
    "engine.empty_loader": (
        "O loader de {phase} não produziu nenhum lote: confira o conjunto de dados (está "
        "vazio?) e drop_last/batch_size."
    ),
    "engine.unknown_backbone": (
        "não sei qual backbone {net} usa: informe args['backbone'] (um nome registrado em "
        "fcn_course.backbones.BACKBONES)."
    ),
    "engine.resume_needs_run_dir": "resume=True precisa do run_dir que contém last.pt.",
    "engine.resuming": "Retomando {run_dir} depois da época {epoch}.",
    "engine.no_checkpoint": "Nenhum checkpoint em {run_dir}: começando da época 1.",
    "engine.best_epoch": "Melhor mIoU(fg) de validação {miou:.4f} na época {epoch}.",
    "engine.ingredients_expected": (
        "esperava TrainingIngredients(model_classes, make_optimizer, compute_loss, make_criterion) com as suas "
        "quatro peças (as classes das FCNs num dicionário, por exemplo {{\"alexnet\": FCN_AlexNet}}, e as três "
        "funções do exercício 3), não {given}."
    ),
    "runs.bad_checkpoint_choice": "which deve ser 'best' ou 'last', não {which!r}.",
    "runs.bad_phase": (
        "um History tem as fases 'train' e 'val', não {phase!r}: use history['train'] ou history['val']."
    ),
    "runs.unknown_format": (
        "{path} está no formato {found}, mas esta versão do curso lê o formato {known}: a pasta "
        "foi escrita por outra versão do curso (mais nova?). Nada foi alterado. Atualize o curso "
        "(git pull, ou baixe a versão nova) para continuar esta execução, ou treine com esta "
        "versão numa pasta nova."
    ),
    "runs.no_backbone": (
        "as configurações da execução não dizem qual backbone ela usa: acrescente "
        "args['backbone'] (por exemplo 'alexnet')."
    ),
    "runs.not_writable": (
        "não consigo gravar na pasta da execução {run_dir} ({error}); escolha outra pasta "
        "(run_dir=..., ou FCN_COURSE_RUNS)."
    ),
    "runs.best_is_separate": " {best} é um arquivo à parte: predict ainda pode usá-lo, se estiver inteiro.",
    "runs.truncated_checkpoint": (
        "o checkpoint {path} está truncado (o processo foi morto durante a gravação, ou "
        "a cópia quebrou), então esta execução não pode continuar a partir dele. Nada foi "
        "alterado.{kept} Para treinar esta execução de novo desde o início, apague {path} "
        "(ou a pasta inteira {folder})."
    ),
    "runs.other_settings": (
        "{run_dir} guarda uma execução iniciada com outras configurações:\n  {changes}\n"
        "Nada foi alterado. Use outra pasta de execução para as configurações novas, ou as "
        "configurações antigas para continuar esta execução."
    ),
    "runs.checkpoint_without_run_file": (
        "{run_dir} guarda um checkpoint mas nenhum {run_file} (uma execução de uma "
        "versão antiga do curso): não dá para comparar as configurações dela com "
        "estas. Comece uma pasta de execução nova."
    ),
    "runs.no_run_file": (
        "{run_dir} não tem um {run_file} dizendo qual rede ela guarda (backbone, skip, classes). Treine de novo "
        "com esta versão do curso, ou descreva a execução: fcn_course.runs.write_run_config(run_dir, "
        "{{'backbone': 'alexnet', 'skip': True, 'pretrained': False, 'classes': ('background', 'bus', 'person'), "
        "...course_args()}})."
    ),
    "runs.checkpoint_not_found": (
        "Checkpoint não encontrado: {path}. Treine primeiro com fit(..., run_dir=...) "
        "(ou com a grade): ele grava best.pt e last.pt na pasta da execução."
    ),
    "runs.unreadable_checkpoint": (
        "o checkpoint {path} não pode ser lido ({error}): não é um checkpoint do "
        "PyTorch, ou está truncado ou danificado. Apague-o para treinar essa execução "
        "de novo desde o início (ou use o outro de best.pt/last.pt)."
    ),
    "runs.not_a_dict_of_weights": "{path} não contém um dicionário de pesos.",
    "runs.no_optimizer_state": (
        "{path} não guarda o estado do otimizador ({best} guarda só os pesos); retome a partir de {last}."
    ),
    "runs.no_grid_index": "Nenhum {grid_file} em {grid_dir}: esta é mesmo a pasta de saída de run_grid?",
    "runs.grid_other_settings": (
        "{grid_dir} guarda uma grade treinada com outras configurações ({changes}). Nada "
        "foi alterado: use outro out_dir, ou apague este para começar de novo."
    ),
    "predict.image_not_found": "Imagem não encontrada: {path}",
    "predict.is_a_folder": "{path} é uma pasta; passe um arquivo de imagem (ou use predict_folder).",
    "predict.not_an_image": (
        "{path} não é uma imagem que o Pillow consiga ler ({error}). Use um arquivo de foto como .jpg ou .png."
    ),
    "predict.beyond_16_bits": (
        "{name} tem valores no modo {mode} de {low} a {high}, além de 16 bits: converta-a "
        "antes para uma imagem RGB de 8 bits (por exemplo um .jpg ou .png)."
    ),
    "predict.floating_point": (
        "{name} é uma imagem de ponto flutuante de 32 bits: converta-a antes para uma "
        "imagem RGB de 8 bits (por exemplo um .jpg ou .png)."
    ),
    "predict.unknown_class": "Classe desconhecida {name}: as classes precisam ser nomes do Pascal VOC ({known}).",
    "predict.label_outside": (
        "o rótulo tem valores fora de 0..{last} (e 255): mínimo {low}, máximo {high}. "
        "São estas mesmo as classes certas?"
    ),
    "predict.label_shape": (
        "o rótulo tem formato {shape}, mas a imagem tem {height}x{width} (altura x largura); "
        "faça a predição no tamanho original."
    ),
    "predict.output_is_input_folder": (
        "a pasta de saída {out_dir} é a pasta das imagens de entrada ({folder}): os "
        "resultados seriam gravados no meio das suas fotos. Escolha outra pasta de "
        "saída (--out predictions, ou out_dir=... no Python)."
    ),
    "predict.missing_model_class": (
        "{path} guarda uma FCN {backbone}, mas model_classes só tem {known}; passe a sua classe {class_name}."
    ),
    "predict.weights_do_not_fit": "Os pesos de {path} não servem em {class_name} (skip={skip}): {error}",
    "predict.grid_not_found": "Pasta da grade não encontrada: {grid_dir}",
    "predict.no_trained_run": "Nenhuma execução treinada em {grid_dir} (nenhum */best.pt): rode a grade primeiro.",
    "predict.not_found": "Não encontrado: {path}",
    "predict.no_images": "Nenhuma imagem em {path} (procurei {suffixes}).",
    "predict.no_fcn_class": "nenhuma classe FCN ({names}) está definida em {paths}",
    "predict.error": "erro: {error}",
    "predict.model_line": "FCN {backbone} (skip={skip}), classes {classes}, tamanho de entrada {size}",
    "predict.original_size": "original",
    "predict.skipped": "pulei {path}: {error}",
    "predict.none_segmented": "erro: nenhuma imagem pôde ser segmentada.",
    "predict.results_in": "resultados em {folder}",
    "predict.too_many_pixels": (
        "{path} diz ter pixels demais para abrir com segurança ({error}): pode ser uma "
        "imagem corrompida ou feita para travar o computador. Reduza a foto (por exemplo "
        "para uns 500 pixels de lado) e tente de novo."
    ),
    # --- metrics (metrics) -------------------------------------------------------------------------------------
    "metrics.not_an_array": (
        "{name} deve ser um tensor do torch ou um array do numpy, não {type}: converta com torch.as_tensor(...) "
        "ou np.asarray(...)."
    ),
    "metrics.num_classes_range": (
        "num_classes deve estar entre 1 e 10000, não {num_classes}: passe o número de classes do seu conjunto "
        "(por exemplo 3, para fundo, ônibus e pessoa)."
    ),
    "metrics.labels_not_integer": (
        "labels deve conter índices inteiros de classe, mas tem dtype {dtype}: converta com labels.long()."
    ),
    "metrics.scores_other_classes": (
        "preds parecem escores de forma {shape}, com {found} classes no eixo das classes, mas esta "
        "ConfusionMatrix tem num_classes={num_classes}: confira o número de saídas da rede ou o num_classes."
    ),
    "metrics.float_without_class_axis": (
        "preds de forma {shape} são números reais (float), mas não têm eixo de classes: passe os índices das "
        "classes (por exemplo outputs.argmax(1)) ou os escores brutos [B, C, H, W]."
    ),
    "metrics.shapes_differ": (
        "preds e labels não combinam: preds {preds} vs labels {labels}. Para labels [B, H, W], passe preds "
        "[B, H, W] com índices de classe ou [B, C, H, W] com escores."
    ),
    "metrics.other_than_ignored": " (além do ignorado {ignore_index})",
    "metrics.out_of_range": (
        "{name} contém índices de classe {examples}{ignored} fora de 0..{last}: confira num_classes e o "
        "mapeamento dos rótulos."
    ),
    "metrics.class_names_count": (
        "{given} nomes de classes para {num_classes} classes: passe um nome por classe, na ordem dos índices."
    ),
    # the per-class table that ConfusionMatrix.table() prints
    "metrics.table_class": "classe",
    "metrics.table_mean": "média",
    "metrics.table_unnamed_class": "classe {index}",
    # --- figures (plots) ---------------------------------------------------------------------------------------
    "figures.void": "void (ignorado)",
    "figures.epoch": "época",
    "figures.epoch_title": "época {epoch}",
    "figures.best_epoch_iou": "IoU (melhor época)",
    "figures.column.image": "Imagem",
    "figures.column.label": "Rótulo",
    "figures.column.overlay": "Sobreposição",
    "figures.column.prediction": "Predição",
    "figures.column.ground_truth": "Rótulo verdadeiro",
    "figures.samples.item": "item {index}",
    "figures.pixel_frequencies.ylabel": "fração dos pixels",
    "figures.pixel_frequencies.title": "Frequência de cada classe nos pixels de treino (void fora)",
    "figures.metric.loss_mean": "Loss (média ± desvio padrão)",
    "figures.metric.miou_fg": "mIoU sem o fundo",
    "figures.metric.miou": "mIoU (todas as classes)",
    "figures.metric.mdice": "Dice médio",
    "figures.metric.pixel_acc": "Acurácia de pixels",
    "figures.metric.time": "Tempo por época (s)",
    "figures.phase.train": "treino",
    "figures.phase.val": "validação",
    "figures.grid.miou_title": "mIoU de validação (sem o fundo)",
    "figures.grid.loss_title": "perda de treino",
    "figures.grid.loss_ylabel": "entropia cruzada",
    "figures.grid.no_runs": "nenhuma configuração treinada",
    "figures.per_class_iou.title": "IoU por classe e configuração",
    "figures.prediction_rows.image": "imagem",
    "figures.prediction_rows.ground_truth": "rótulo verdadeiro",
    "figures.prediction_rows.title": (
        "Imagens de validação: rótulo verdadeiro e predição de cada configuração (best.pt)"
    ),
    "figures.confusion.title": "Matriz de confusão",
    "figures.confusion.predicted": "classe prevista",
    "figures.confusion.true": "classe verdadeira",
    "figures.confusion.colorbar": "fração dos pixels da classe verdadeira",
    "figures.options.miou_xlabel": "mIoU(fg) de validação (melhor época)",
    "figures.options.miou_title": "Cada opção, uma mudança",
    "figures.options.iou_title": "IoU por classe",
    "figures.iou.poor": "Ruim",
    "figures.iou.good": "Boa",
    "figures.iou.excellent": "Excelente",
    "figures.iou.truth_box": "A: rótulo verdadeiro",
    "figures.iou.prediction_box": "B: predição",
    "figures.iou.title": "IoU = |A ∩ B| / |A ∪ B|   (1 = sobreposição perfeita, 0 = nenhuma)",
    "figures.diagram.input_224": "imagem\n3×224×224",
    "figures.diagram.backbone": "backbone pré-treinado (camadas convolucionais da CNN)",
    "figures.diagram.classifier_1x1": "classificador\nconv 1×1\nC classes, {size}×{size}",
    "figures.diagram.upsampling": "upsampling\nbilinear\n{source}×{source} → {target}×{target}",
    "figures.diagram.scores": "escores por\npixel\nC×224×224",
    "figures.diagram.title_noskip": (
        "FCN sem skip connection (FCN-32s): prever em {size}×{size} e ampliar até 224×224"
    ),
    "figures.diagram.concatenate": "concatenar\nno eixo dos\ncanais ({size}×{size})",
    "figures.diagram.skip": "skip connection:\nfeatures de {stage} ({size}×{size})\n(com {stage16}: FCN-16s)",
    "figures.diagram.classifier": "classificador\nconvolucional\nC classes",
    "figures.diagram.scores_skip": "escores\npor pixel\nC×224×224",
    "figures.diagram.title_skip": (
        "FCN com skip connection (estilo FCN-8s): junta o detalhe de {stage} com a semântica de {deepest}"
    ),
    "figures.cnn_to_fcn.image": "imagem\n224×224",
    "figures.cnn_to_fcn.convolutions": "camadas\nconvolucionais\n256×6×6",
    "figures.cnn_to_fcn.flatten": "achatar\n(flatten)\n9216",
    "figures.cnn_to_fcn.one_label": "um rótulo\npor imagem:\n\"ônibus\"",
    "figures.cnn_to_fcn.title_cnn": "CNN de classificação: rotulação esparsa (um rótulo para a imagem inteira)",
    "figures.cnn_to_fcn.image_any": "imagem\nH×W",
    "figures.cnn_to_fcn.same_convolutions": "as mesmas camadas\nconvolucionais\n256×H/32×W/32",
    "figures.cnn_to_fcn.classifier": "classificador\nconvolucional (1×1)\nC×H/32×W/32",
    "figures.cnn_to_fcn.upsampling": "upsampling\nbilinear\nC×H×W",
    "figures.cnn_to_fcn.label_per_pixel": "um rótulo\npor pixel",
    "figures.cnn_to_fcn.title_fcn": "FCN: rotulação densa (as camadas FC viram convoluções)",
    "figures.bilinear.scores": "escores 4×4\n(saída da rede)",
    "figures.bilinear.nearest": "vizinho mais próximo ×{scale}\n(blocos)",
    "figures.bilinear.bilinear": "bilinear ×{scale}\n(transições suaves)",
    "figures.bilinear.colorbar": "escore da classe",
    "figures.bilinear.title": "F.interpolate: ampliando um mapa de escores",
    "figures.checkerboard.bilinear": "kernel bilinear {size}×{size}, stride {stride}",
    "figures.checkerboard.uniform": "kernel 3×3 uniforme, stride 2\n(3 não é múltiplo de 2)",
    "figures.checkerboard.random": "kernel {size}×{size} aleatório, stride {stride}",
    "figures.checkerboard.input": "entrada constante 8×8",
    "figures.checkerboard.panel": "{title}\nmín {low:.2f}, máx {high:.2f}",
    "figures.checkerboard.title": ("Convolução transposta numa imagem constante: o padrão de xadrez (bordas cortadas)"),
    "figures.label_interpolation.original": "rótulo original",
    "figures.label_interpolation.nearest": "vizinho mais próximo (certo)",
    "figures.label_interpolation.bilinear": "bilinear, arredondado (errado;\nnão-classes em cor de void)",
    "figures.label_interpolation.invented": "pixels com índice inventado: {count}",
    "figures.label_interpolation.title": "Redimensionando um rótulo ×{factor:g}: nunca interpole índices de classe",
    "figures.colorize_not_one_map": (
        "colorize espera um mapa de rótulos [H, W], mas recebeu a forma {shape}: para um lote, pinte um item "
        "por vez (por exemplo label[0])."
    ),
    "figures.label_out_of_range": (
        "o rótulo tem valores {values} fora de 0..{last} e de {void} (void): confira classes=... (um nome por "
        "índice) e o mapeamento dos rótulos."
    ),
    "figures.samples_no_classes": (
        "passe classes=... (o conjunto de dados não tem o atributo .classes), por exemplo "
        "classes=(\"background\", \"bus\", \"person\")."
    ),
    "figures.samples_empty": (
        "o conjunto de dados está vazio: não há nada para mostrar. Confira a pasta dos dados e os filtros "
        "(min_classes, max_samples)."
    ),
    "figures.batch_sizes_differ": (
        "os lotes têm tamanhos diferentes: {images} imagens, {preds} predições, {labels} rótulos. Passe "
        "imagens, predições e rótulos do mesmo lote."
    ),
    "figures.history_list_key": (
        "a chave {key!r} do histórico guarda uma lista (um valor por classe): escolha uma chave escalar, "
        "como 'loss_mean' ou 'miou_fg'."
    ),
    # --- notebooks and definitions (definitions, widgets, colab) -----------------------------------------------
    "definitions.cell_name": "célula {number} de {notebook}",
    "definitions.error_at_line": "{error} (linha {line})",
    "definitions.newer_pair": (
        "Aviso: {newer} foi salvo depois de {older} e os dois diferem; usei {newer}, o mais "
        "recente. Para sincronizar o par, apague o mais antigo ou rode "
        "`jupytext --sync {newer}`."
    ),
    "definitions.not_found": (
        "não encontrei {path} (nem o par .py/.ipynb): ele deve estar na mesma pasta deste notebook."
    ),
    "definitions.not_found_in": (
        "não encontrei {name} (nem o par .py/.ipynb, nem uma cópia como \"Cópia de "
        "{name}\") em: {folders}. Ponha os notebooks do curso numa dessas pastas, ou "
        "passe o caminho inteiro do arquivo."
    ),
    "definitions.mount_drive": (
        "No Colab, os seus notebooks ficam no Google Drive: monte-o (rode a célula de "
        "configuração com {flag} = True, ou from google.colab import drive; "
        "drive.mount(\"{mount_point}\")) e rode esta célula de novo."
    ),
    "definitions.reading_copy": "Lendo {name} de {path}.",
    "definitions.cells_failed_warning": "Algumas definições de {notebook} deram erro:{problems}",
    "definitions.not_defined": "{notebook} não define {names}.",
    "definitions.where_to_define": (
        "- `{name}` vem da célula de exercício{exercise} de {notebook}: complete-a "
        "(sem mudar o nome), rode-a e salve o notebook."
    ),
    "definitions.found": "Definições encontradas: {found}.",
    "definitions.nothing_found": "nada",
    "definitions.failed_cells": "Estas células deram erro:",
    "widgets.title_image": "imagem",
    "widgets.title_image_with_labels": "imagem + rótulos",
    "widgets.title_true_label": "rótulo verdadeiro",
    "widgets.title_prediction": "predição",
    "widgets.title_errors": "erros (acurácia de pixels {accuracy:.1%})",
    "widgets.legend_correct": "certo",
    "widgets.legend_wrong": "errado",
    "widgets.legend_void": "void (não avaliado)",
    "widgets.control_sample": "amostra",
    "widgets.control_show_labels": "mostrar rótulos",
    "widgets.control_opacity": "opacidade",
    "widgets.control_configuration": "configuração",
    "widgets.sample_title": "amostra {index} / {last}",
    "widgets.sample_title_with_id": "amostra {index} / {last} (id {image_id})",
    "widgets.empty_dataset_browse": "O conjunto de dados está vazio: não há nada para mostrar.",
    "widgets.empty_dataset_predict": "O conjunto de dados está vazio: não há nada para prever.",
    "widgets.no_models": "Nenhum modelo: passe {{'nome': modelo, ...}} ou a pasta de uma grade.",
    "widgets.unknown_configuration": "Configuração desconhecida {name!r}; escolha uma de {choices}.",
    "colab.badge": "Abrir no Colab",
    "colab.setup_comment": (
        "# Google Colab: instala o curso e (se você quiser) guarda os dados no seu Drive.\n"
        "# Fora do Colab esta célula só escolhe a língua das mensagens do curso."
    ),
    "colab.language_comment": "a língua das mensagens deste notebook",
    "colab.drive_flag_comment": "True: dados do curso em {folder} no seu Google Drive",
    "colab.installed_locally": (
        "Curso instalado. Os dados ficam no disco temporário do Colab (use {flag} = True "
        "para guardá-los no seu Google Drive)."
    ),
    "colab.installed_with_drive": "Curso instalado. Dados do curso em {folder} ({data_env}).",
    "colab.install_failed": (
        "Não consegui instalar o curso de {url} (a mensagem do pip, acima, diz por quê). "
        "Confira a conexão com a internet e se esse endereço abre no navegador: o Colab "
        "não instala de um repositório privado. Depois rode esta célula de novo."
    ),
    # --- self-checks (checks/) ---------------------------------------------------------------------------------
    "checks.exercise_title": "Exercício {number} ({title})",
    "checks.challenge_title": "Desafio {number} ({title})",
    "checks.challenge_stub": (
        "   (Desafio: extra e opcional, não conta na nota; o resto do notebook roda sem ele. "
        "Volte a ele quando quiser ir além.)"
    ),
    "checks.passed": "✅ {title}: tudo certo!",
    "checks.failed": "❌ {title}:",
    "checks.finish_first": "Termine o {title} antes de seguir: {stub}",
    "checks.optional_stub": "   (exercício opcional: o resto do notebook roda sem ele; volte a ele quando quiser.)",
    "checks.not_implemented": "ainda não implementado ({hint})",
    "checks.not_implemented_default": "complete o trecho marcado",
    "checks.student_error": "seu código gerou {error_type}: {error}{where}",
    "checks.error_where": " ({where}: `{line}`)",
    "checks.where_loaded_cell": "célula {cell} de {notebook}, linha {line}",
    "checks.where_ipython_cell": "célula [{cell}], linha {line}",
    "checks.where_your_cell": "linha {line} da sua célula",
    "checks.where_file": "{file}, linha {line}",
    "checks.missing_names": (
        "não encontrei {names} no notebook {notebook}.ipynb (a célula do {exercise} "
        "foi apagada, renomeada ou não roda?)."
    ),
    "checks.fcn_unknown_backbone": (
        "não reconheci o backbone de {name}: use um dos nomes de classe do curso "
        "({names}) ou chame check_fcn(..., backbone='alexnet')."
    ),
    "checks.unknown_exercise": "não há exercício {key!r} no curso; os exercícios são: {keys}.",
    "checks.feedback.note": "   ℹ️ nota: {note}",
    "checks.feedback.weights_requested": (
        "o seu código pediu os pesos do ImageNet{where}, mas a verificação criou o modelo com pretrained=False: "
        "repasse o argumento pretrained ao carregador do backbone (`load_alexnet(pretrained)`), sem fixar True."
    ),
    "checks.feedback.undecided": (
        "não consegui terminar esta verificação: {error}. Confira o que o seu código "
        "devolve (tipo e formato); se tudo parecer certo, mostre esta mensagem ao monitor."
    ),
    "checks.feedback.inplace": (
        "{what}: uma operação in-place (como `p[mascara] = 0`, `p *= valido` ou `masked_fill_`) alterou um tensor "
        "de que o gradiente precisa{where}. Use a versão que cria um tensor novo: `p = p * valido` ou "
        "`p.masked_fill(...)` (sem o `_`)."
    ),
    # Exercício 0 (checks/metrics.py)
    "checks.metrics.case_common": "uma matriz 3x3 comum",
    "checks.metrics.case_absent": "uma classe ausente (linha e coluna zeradas)",
    "checks.metrics.case_perfect": "predição perfeita",
    "checks.metrics.case_never_right": "uma classe presente que nunca é acertada ([[5, 1], [3, 0]])",
    "checks.metrics.case_only_predicted": "uma classe predita que não está em nenhum rótulo ([[4, 2], [0, 0]])",
    "checks.metrics.case_random": "uma matriz {n}x{n} sorteada (com linhas ou colunas zeradas)",
    "checks.metrics.with_case": "com {case}",
    "checks.metrics.return_pair": "a função deve devolver o par (iou, dice): `return iou, dice`.",
    "checks.metrics.not_numbers": "{label} com {case}: esperado um array de números, veio {kind}.",
    "checks.metrics.wrong_shape": "{label} com {case}: esperado um valor por classe {expected}, veio {shape}.{hint}",
    "checks.metrics.hint_any_class_count": (
        " A função deve servir para qualquer número de classes: use len(matrix), não um número fixo."
    ),
    "checks.metrics.wrong_values": "{label} com {case}: esperado {expected}, veio {value}. Dica: {hint}",
    "checks.metrics.hint_nan_for_absent": (
        "para uma classe que não aparece nem no rótulo nem na predição, devolva NaN (0/0), não 0 nem 1."
    ),
    "checks.metrics.hint_zero_not_nan": (
        "uma classe que aparece no rótulo ou na predição mas nunca é acertada (TP = 0) tem {label} 0, não NaN; "
        "NaN só quando TP + FP + FN = 0 (a classe não aparece em lugar nenhum)."
    ),
    "checks.metrics.formula_iou": "IoU = TP/(TP+FP+FN)",
    "checks.metrics.formula_dice": "Dice = 2TP/(2TP+FP+FN) (o TP conta duas vezes)",
    "checks.metrics.hint_swapped": (
        "os valores parecem trocados: devolva primeiro a IoU e depois o Dice (`return iou, dice`)."
    ),
    "checks.metrics.hint_recall": (
        "isso é a recall de cada classe, TP/(TP+FN): falta o FP no denominador (o erro "
        "do notebook original); {formula}."
    ),
    "checks.metrics.hint_precision": (
        "isso é a precisão de cada classe, TP/(TP+FP): falta o FN no denominador; {formula}."
    ),
    "checks.metrics.hint_twice_iou": "Dice não é 2·IoU: Dice = 2TP/(2TP+FP+FN) (o que equivale a 2·IoU/(1+IoU)).",
    "checks.metrics.hint_integer_division": (
        "parece divisão inteira (//), que arredonda para baixo: use a divisão comum (/); {formula}."
    ),
    "checks.metrics.hint_formula": (
        "{formula}; linhas = classe real, colunas = classe predita; FP soma a coluna e FN soma a linha (sem o TP)."
    ),
    # Exercícios 1, 2 e 6: as FCNs (checks/models.py)
    "checks.models.not_a_course_backbone": "{weights} não é um backbone do curso: use um dos registrados ({names}).",
    "checks.models.build": "criar o modelo",
    "checks.models.build_five": "criar o modelo com num_classes=5",
    "checks.models.build_pretrained": "criar o modelo com pretrained={pretrained}",
    "checks.models.prefix_16s": "com skip='16s': ",
    "checks.models.forward": "forward com entrada [2, 3, {height}, {width}]",
    "checks.models.missing_attributes": "faltam os atributos {missing} (com skip={skip} a rede deve ter {names}).",
    "checks.models.first_conv": (
        "`{name}` deve começar pela primeira convolução do backbone do torchvision (pesos "
        "{shape}); use as camadas `features` do modelo carregado."
    ),
    "checks.models.linear_layers": (
        "a FCN não deve ter camadas nn.Linear: troque as camadas totalmente conectadas "
        "por convoluções (é isso que torna a rede 'totalmente convolucional')."
    ),
    "checks.models.classifier_without_conv": (
        "`classifier` deve conter convoluções (a última com num_classes canais de saída)."
    ),
    "checks.models.frozen_from_scratch": (
        "com pretrained=False {count} de {total} tensores de parâmetros estão congelados (requires_grad=False), a "
        "começar por `{name}`: treinando do zero os pesos são aleatórios e a rede inteira precisa aprender. Não "
        "congele nada aqui (com pretrained=True o otimizador já usa lr × 0.1 no backbone)."
    ),
    "checks.models.void_channel": (
        "com num_classes={num_classes} a saída tem {channels} canais, um a mais: void (255) não é uma classe — a "
        "perda o ignora (ignore_index=255) e a rede prevê só num_classes escores."
    ),
    "checks.models.wrong_class_count": (
        "com num_classes={num_classes} a saída tem {channels} canais: a última convolução do classifier deve ter "
        "num_classes canais de saída (use o argumento num_classes, não um número fixo)."
    ),
    "checks.models.wrong_output_shape": (
        "para a entrada [2, 3, {height}, {width}] a saída deveria ser {expected}, veio {shape}. Dica: interpole os "
        "escores para o tamanho da entrada (x.shape[-2:]), não para um tamanho fixo como 224."
    ),
    "checks.models.not_raw_scores": (
        "a saída parece ter passado por {kind} no fim do forward: devolva os escores brutos (logits) da última "
        "convolução, interpolados. nn.CrossEntropyLoss já aplica log_softmax; com {kind} no fim ela trabalharia "
        "sobre valores já transformados e o treino piora. Use softmax só fora do modelo, para ver probabilidades."
    ),
    "checks.models.dropout_in_eval": (
        "em modo de avaliação (net.eval()) duas passadas na mesma imagem deram saídas diferentes: há dropout ativo "
        "mesmo em eval. Crie o dropout como camada no __init__ (nn.Dropout2d(0.5)), em vez de F.dropout(x, 0.5) ou "
        "nn.Dropout(...)(x) no forward: só uma camada registrada é desligada por net.eval()."
    ),
    "checks.models.batch_statistics_in_eval": (
        "em modo de avaliação a saída de uma imagem mudou conforme as outras imagens do lote: uma BatchNorm está "
        "usando as estatísticas do lote mesmo em eval. Crie a camada no __init__ (nn.BatchNorm2d(canais)), não no "
        "forward nem com F.batch_norm(..., training=True)."
    ),
    "checks.models.map_shape": "{channels} canais, {height}x{width}",
    "checks.models.deep_cut": (
        "para uma entrada {height}x{width}, self.{name} deveria terminar onde termina `features`, no mapa de 1/32 "
        "({expected}); veio {shape}. Use `features` até o fim, sem cortar camadas nem acrescentar o avgpool do "
        "classificador."
    ),
    "checks.models.shallow_cut": (
        "com skip='{skip}', para uma entrada {height}x{width} self.backbone1 deveria terminar no pooling de "
        "1/{stride} ({expected}); veio {shape}{built_as}. Corte `features` no índice do pooling de cada variante."
    ),
    "checks.models.built_as": " (é o corte de skip='{other}')",
    "checks.models.skip_unused": (
        "a saída não muda quando só o caminho raso (saída de backbone1) muda: a skip connection não está sendo "
        "usada. Dica: concatene as features de backbone1 com as de backbone2 (interpoladas para o mesmo tamanho) "
        "com torch.cat(..., dim=1) antes do classifier."
    ),
    "checks.models.skip_coarse": (
        "a skip connection não traz detalhe fino: uma mudança num ponto das features de backbone1 altera {shallow} "
        "pixels da saída, tanto quanto um ponto do mapa de 1/32 ({deep} pixels). Dica: a fusão deve acontecer na "
        "resolução de backbone1 (amplie as features profundas até o tamanho das rasas, não reduza as rasas a 1/32)."
    ),
    "checks.models.loader_not_called": (
        "o modelo não chamou `{loader}(pretrained)` de fcn_course.backbones (nem o construtor do torchvision); use-o "
        "para que o argumento pretrained seja respeitado (ele baixa/carrega os pesos do ImageNet ou explica como "
        "obtê-los)."
    ),
    "checks.models.flag_not_passed": (
        "com pretrained={pretrained} o backbone foi carregado com pretrained={loaded}: "
        "passe o argumento adiante, `{loader}(pretrained)`."
    ),
    "checks.models.pretrained_overwritten": (
        "com pretrained=True os pesos do ImageNet foram sobrescritos depois de "
        "carregados; só chame initialize_weights quando pretrained=False."
    ),
    "checks.models.never_initialised": (
        "com pretrained=False os pesos deveriam ser inicializados: chame "
        "initialize_weights(self) no fim do __init__ quando pretrained=False."
    ),
    "checks.models.no_upsampling": (
        "não encontrei upsampling: use F.interpolate(..., mode='bilinear') para voltar ao tamanho da entrada."
    ),
    "checks.models.not_bilinear": (
        "o upsampling usa mode={mode!r} em pelo menos uma das interpolações; as FCNs "
        "usam interpolação bilinear (mode='bilinear') em todas elas."
    ),
    # Exercício 3 (checks/training.py): the optimiser
    "checks.training.build_case": "criar o modelo ({case})",
    "checks.training.not_adam": "{case}: use torch.optim.Adam (veio {kind}).",
    "checks.training.decoupled": (
        "{case}: veio {kind} com weight decay desacoplado (subtraído direto dos pesos, como faz a AdamW); o curso "
        "pede torch.optim.Adam com weight_decay como regularização L2 (somada ao gradiente), e os dois treinam de "
        "modo diferente. Use optim.Adam(..., weight_decay=args['weight_decay'])."
    ),
    "checks.training.betas": (
        "{case}: com args['momentum'] = {momentum}, betas deveria ser (args['momentum'], 0.999) = {want}, veio "
        "{got}. Dica: passe betas=(args['momentum'], 0.999) ao Adam (o padrão do Adam não segue args)."
    ),
    "checks.training.weight_decay": (
        "{case}: weight_decay deveria ser args['weight_decay'] ({want:g}), veio {got:g}. Dica: passe "
        "weight_decay=args['weight_decay'] ao Adam (vale para todos os grupos de parâmetros)."
    ),
    "checks.training.duplicate_parameter": (
        "{case}: um mesmo parâmetro aparece duas vezes no otimizador (passe cada um uma vez só)."
    ),
    "checks.training.missing_one": "falta 1 de {total} tensores de parâmetros",
    "checks.training.missing_many": "faltam {count} de {total} tensores de parâmetros",
    "checks.training.parameter_missing": (
        "{case}: o parâmetro `{name}` não está no otimizador (não seria treinado); {count}."
    ),
    "checks.training.part_backbone": "do backbone",
    "checks.training.part_classifier": "do classificador",
    "checks.training.rule_pretrained": "o backbone pré-treinado usa lr × 0.1 e o resto usa lr",
    "checks.training.rule_scratch": (
        "treinando do zero (pretrained=False) o backbone não tem pesos do ImageNet a "
        "preservar: tudo usa o mesmo lr; o lr × 0.1 vale só com pretrained=True"
    ),
    "checks.training.wrong_lr": "{case}: parâmetros {part} (`{name}`) com lr={lr:g}, esperado {want:g} ({rule}).",
    # Exercício 3 (checks/training.py): the loss
    "checks.training.compute_loss_call": "compute_loss (escores com {classes} classes)",
    "checks.training.loss_not_scalar": "compute_loss deve devolver um tensor escalar (a média da perda nos pixels).",
    "checks.training.nll_loss": (
        "make_criterion devolveu nn.NLLLoss: junto com log_softmax ela é equivalente a nn.CrossEntropyLoss, que "
        "faz as duas coisas de uma vez ({value}). O curso pede nn.CrossEntropyLoss(ignore_index=255) em "
        "make_criterion e os escores brutos em compute_loss: o resto do curso (p.ex. a perda ponderada, "
        "CrossEntropyLoss(weight=...)) conta com isso."
    ),
    "checks.training.nll_value_right": "o valor da sua perda está certo",
    "checks.training.nll_value_wrong": "e o valor da sua perda não bate com o dela",
    "checks.training.not_cross_entropy": "o critério deve ser nn.CrossEntropyLoss (veio {kind}).",
    "checks.training.reduction": (
        "o critério usa reduction={reduction!r}: a perda deve ser a média nos pixels (reduction='mean', o padrão), "
        "senão ela cresce com o tamanho da imagem e do lote."
    ),
    "checks.training.ignore_index": (
        "o critério deve ignorar os pixels void: nn.CrossEntropyLoss(ignore_index=255). "
        "Void é a borda incerta dos objetos, não é fundo."
    ),
    "checks.training.weighted_criterion": (
        "o critério tem pesos de classe (weight=...) ou label_smoothing: este exercício pede a entropia cruzada "
        "simples, nn.CrossEntropyLoss(ignore_index=255) (a perda ponderada é uma opção do notebook 05)."
    ),
    "checks.training.wrong_loss": "com {classes} classes: valor da perda {value:.5f}, esperado {reference:.5f}. Dica: {hint}",
    "checks.training.hint_class_count": " Com 3 classes deu certo: não fixe o número de classes, use outputs.shape[1].",
    "checks.training.loss_no_gradient": (
        "a perda não propaga gradiente até as saídas da rede (não use .detach()/.item())."
    ),
    "checks.training.loss_hint_scrambled": (
        "parece que você achatou [B, C, H, W] direto com view/reshape(-1, C): isso mistura canais e pixels. O eixo "
        "das classes precisa ser o último antes do reshape (veja torch.permute)."
    ),
    "checks.training.loss_hint_transposed": (
        "parece que você usou transpose(1, 3): ele troca também H e W (dá [B, W, H, C]) e os pixels deixam de "
        "bater com os rótulos; use permute(0, 2, 3, 1)."
    ),
    "checks.training.loss_hint_sum": (
        "parece a soma da perda nos pixels, não a média: use reduction='mean' (o "
        "padrão) e não multiplique pelo número de pixels."
    ),
    "checks.training.loss_hint_softmax": (
        "parece que você aplicou softmax antes da perda: nn.CrossEntropyLoss já aplica log_softmax, então passe os "
        "escores brutos (logits) da rede."
    ),
    "checks.training.loss_hint_flatten": (
        "achate as saídas para [B·H·W, C] (permute + reshape) e os rótulos para [B·H·W]."
    ),
    # Exercício 3 (checks/training.py): the tiny training round
    "checks.training.forward": "forward no lote de treino [4, 3, 64, 64]",
    "checks.training.not_finite": "valores não finitos (perda/mIoU): {figures}. Verifique a perda e o lr.",
    "checks.training.loss_did_not_fall": "a perda não caiu em 8 passos no mesmo lote ({first:.3f} → {last:.3f}): {hint}",
    "checks.training.eval_loss_did_not_fall": (
        "em modo de avaliação, a perda no lote não caiu com 8 passos de treino ({first:.3f} → {last:.3f}): {hint}"
    ),
    "checks.training.metrics_out_of_range": "métricas fora de [0, 1]: {miou}, {accuracy}.",
    "checks.training.no_learning_foreign_parameters": (
        "o otimizador não contém nenhum parâmetro da rede que recebeu: em make_optimizer use net.parameters() (ou "
        "as partes de net), não os de outro modelo."
    ),
    "checks.training.no_learning_zero_lr": "o otimizador tem lr = 0 em todos os grupos: use args['lr'].",
    "checks.training.no_learning_frozen": (
        "{count} de {total} tensores de parâmetros estão congelados (requires_grad=False), a começar por `{name}`: "
        "treinando do zero a rede inteira precisa aprender."
    ),
    "checks.training.no_learning_unchanged": (
        "os pesos não mudaram em 8 passos: confira se o gradiente chega à rede "
        "(compute_loss sem .detach()/.item()) e o otimizador."
    ),
    "checks.training.no_learning_unknown": (
        "os pesos mudaram, mas a perda não caiu; não sei dizer por quê: confira "
        "compute_loss e make_optimizer (lr, betas)."
    ),
    # Exercício 4 (checks/upsampling.py)
    "checks.upsampling.case": "fator {factor}",
    "checks.upsampling.forward": "{case}: aplicar a camada a uma entrada [1, {channels}, 7, 9]",
    "checks.upsampling.not_conv_transpose": (
        "{case}: devolva uma nn.ConvTranspose2d (veio {kind}); é ela que pode aprender, ao contrário de F.interpolate."
    ),
    "checks.upsampling.channels": (
        "{case}: make_upsampler({channels}, {factor}, ...) criou uma ConvTranspose2d de {in_channels} → "
        "{out_channels} canais; use o argumento channels dos dois lados, nn.ConvTranspose2d(channels, channels, "
        "...), sem fixar um número (como 256)."
    ),
    "checks.upsampling.bias": (
        "{case}: crie a camada com bias=False; um viés somaria uma constante aos mapas e a "
        "camada deixaria de ser uma interpolação."
    ),
    "checks.upsampling.size": "{case}: uma entrada 7x9 deveria virar {height}x{width}, virou {got_height}x{got_width}.{hint}",
    "checks.upsampling.hint_odd": (
        " A receita dos fatores pares não serve para um fator ímpar. Exija (n - 1)*fator - 2*padding + kernel "
        "= fator*n para todo n: que relação entre kernel e padding sobra, e que paridade ela pede ao kernel "
        "quando o fator é ímpar?"
    ),
    "checks.upsampling.hint_even": (
        " Confira stride=fator e se o kernel e o padding cumprem (n - 1)*fator - 2*padding + kernel = fator*n "
        "para todo n."
    ),
    "checks.upsampling.no_overlap": (
        "{case}: com kernel_size igual ao fator, os carimbos de pixels vizinhos não se encostam: cada pixel vira "
        "um bloco, e a saída é uma cópia em blocos, não uma interpolação. A tenda bilinear precisa alcançar os "
        "vizinhos, então o kernel tem de ser maior que o fator; refaça a conta do tamanho com esse kernel maior."
    ),
    "checks.upsampling.not_bilinear": (
        "{case}: longe das bordas a saída deveria ser igual a F.interpolate(..., mode='bilinear', "
        "align_corners=False). Copie bilinear_kernel(channels, channels, kernel_size) para layer.weight (dentro de "
        "torch.no_grad()); se o peso já é esse, confira o padding: um padding diferente desloca a saída."
    ),
    "checks.upsampling.mixes_channels": (
        "{case}: a saída mistura os canais, mas na interpolação cada canal alimenta só ele mesmo: copie "
        "bilinear_kernel(channels, channels, kernel_size), que zera os pares de canais diferentes (não ponha o "
        "filtro bilinear em todos os pares)."
    ),
    "checks.upsampling.learns": "True (a camada aprende)",
    "checks.upsampling.fixed": "False (a camada fica fixa)",
    "checks.upsampling.requires_grad": (
        "{case}, learnable={learnable}: layer.weight.requires_grad deveria ser "
        "{want}; use layer.weight.requires_grad_(learnable)."
    ),
    # Exercício 5 (checks/losses.py): class weights
    "checks.losses.hint_length": " Não fixe 3 classes: um peso para cada contagem de pixel_counts (len(pixel_counts)).",
    "checks.losses.weights_form": (
        "devolva um tensor float com um peso por classe (formato [{length}]); veio {kind} {shape}.{hint}"
    ),
    "checks.losses.weights_dtype": (
        "os pesos vieram em {dtype}; devolva float32 (`weights.float()`): o notebook 05 os passa a "
        "nn.CrossEntropyLoss(weight=...), que com escores float32 falha com \"expected scalar type Float but found "
        "Double\"."
    ),
    "checks.losses.absent_class_weight": (
        "uma classe sem nenhum pixel deve receber peso 0 (e nada de inf ou nan): "
        "veio {weights}. Calcule a mediana só das frequências > 0."
    ),
    "checks.losses.inverse_order": (
        "{call}: a classe mais frequente recebeu peso maior ou igual ao da mais rara: {weights}. O peso deve ser "
        "inversamente proporcional à frequência (mediana / freq)."
    ),
    "checks.losses.wrong_weights": "para {call} esperava pesos {expected}; veio {weights}. {hint}",
    "checks.losses.hint_median_of_present": (
        "A mediana deve ser tomada só sobre as classes presentes (frequência "
        "> 0): uma classe sem pixels não entra na mediana."
    ),
    "checks.losses.hint_mean_not_median": "Parece a média das frequências: use a mediana (torch.median ou np.median).",
    "checks.losses.hint_divide_by_median": (
        "Os pesos estão na proporção certa, mas falta dividir pela mediana das "
        "frequências: a classe de frequência mediana deve receber peso 1."
    ),
    "checks.losses.hint_weights_formula": (
        "Calcule freq = contagens / total e peso = mediana(freq) / freq, com a mediana só das classes presentes."
    ),
    # Exercício 5 (checks/losses.py): Dice loss
    "checks.losses.dice_not_scalar": (
        "devolva um único número (tensor escalar): a média do Dice sobre as classes, não {shape}."
    ),
    "checks.losses.dice_no_gradient": (
        "a perda não tem gradiente: use probabilidades (softmax nos canais), nunca "
        "argmax, e não chame .item() nem .detach()."
    ),
    "checks.losses.dice_null_gradient": "o gradiente da perda em relação aos escores é nulo ou não finito.",
    "checks.losses.dice_void": (
        "os pixels void (255) influenciaram a perda: zere probabilidades e alvos nesses "
        "pixels (e troque 255 por uma classe válida antes do one-hot)."
    ),
    "checks.losses.dice_softmax_axis": (
        "a perda muda quando se soma a mesma constante a todas as classes de um pixel, o que não acontece com "
        "softmax nos canais: aplique softmax no eixo das classes, outputs.softmax(dim=1) (não em outro eixo, nem "
        "sigmoid, nem os escores brutos)."
    ),
    "checks.losses.dice_case": "{classes} classes",
    "checks.losses.perfect": "predição perfeita",
    "checks.losses.all_wrong": "predição toda errada",
    "checks.losses.small_swapped": "classes pequenas trocadas",
    "checks.losses.hint_class_count": " Com 3 classes funcionou: não fixe o número de classes, use outputs.shape[1].",
    "checks.losses.dice_range": (
        "a perda de Dice fica entre 0 e 1, veio {value:.4f}: Dice = 2·interseção / (soma "
        "de p + soma de g), por classe; a perda é 1 - média."
    ),
    "checks.losses.dice_sum_of_classes": (
        "a perda ficou negativa ({value:.4f}): tire a média do Dice entre as classes (.mean()), não a soma."
    ),
    "checks.losses.dice_perfect": (
        "com a predição perfeita a perda deveria ser ≈ 0, veio {value:.4f}: Dice = "
        "2·interseção / (soma de p + soma de g), por classe; a perda é 1 - média."
    ),
    "checks.losses.dice_worst": "com a predição toda errada a perda deveria ser ≈ 1, veio {value:.4f}.",
    "checks.losses.dice_lumped": (
        "com uma classe grande certa e duas pequenas trocadas a perda deveria ser ≈ 0.67 (Dice 1, 0 e 0: média "
        "1/3), veio {value:.3f}: calcule um Dice por classe, somando sobre lote e pixels (dim=(0, 2, 3)), e tire a "
        "média entre as classes; somando todas as classes juntas, a classe grande domina."
    ),
    "checks.losses.dice_per_class": (
        "com uma classe grande certa e duas pequenas trocadas a perda deveria ser ≈ 0.67 (Dice 1, 0 e 0: média "
        "1/3), veio {value:.3f}: Dice por classe = 2·Σ(p·g) / (Σp + Σg) somando sobre lote e pixels; a perda é "
        "1 - a média entre as classes."
    ),
    # Exercício 6 (checks/scores.py)
    "checks.scores.build": "criar {name}(3)",
    "checks.scores.the_model": "o modelo",
    "checks.scores.pretrained_ignored": (
        "com pretrained=False o modelo carregou os pesos do ImageNet: passe o "
        "argumento adiante, `load_vgg16(pretrained)`."
    ),
    "checks.scores.not_conv": "crie self.{name} como nn.Conv2d (veio {kind}).",
    "checks.scores.wrong_layer": (
        "self.{name} deveria ser Conv2d({channels}, num_classes, kernel_size=1): cada nível prevê escores de "
        "classe, que são então somados; veio Conv2d({in_channels}, {out_channels}, kernel_size={kernel_size})."
    ),
    "checks.scores.forward": "forward numa imagem {height}x{width}",
    "checks.scores.wrong_shape": (
        "a saída deveria ter formato [1, {classes}, {height}, {width}] (escores por pixel, "
        "do tamanho da entrada); veio {shape}."
    ),
    "checks.scores.unused": (
        "self.{name} não muda a saída: some os escores dele (depois de interpolar os escores "
        "mais profundos ao tamanho do mapa dele) no forward."
    ),
    "checks.scores.not_linear": (
        "a saída não varia linearmente com self.{name}: os escores dos níveis devem ser somados e só interpolados "
        "depois (nada de ReLU, concatenação com camadas não lineares ou outra convolução depois da soma)."
    ),
    "checks.scores.not_added": (
        "a contribuição de self.{name} muda conforme os escores do classifier: os escores dos níveis devem ser "
        "somados (+), não multiplicados nem combinados de outro jeito."
    ),
    "checks.scores.scaled_note": (
        "os escores de self.{name} entram na soma multiplicados por cerca de {scale}, como na implementação de "
        "referência dos autores do FCN (pool4 × 0.01, pool3 × 0.0001): aceito; a escala só muda o ponto de "
        "partida do treino."
    ),
    # --- exercise titles (the number is added by checks.exercise_title) ----------------------------------------
    "exercise.iou": "IoU e Dice a partir da matriz de confusão",
    "exercise.alexnet-noskip": "FCN-AlexNet sem skip",
    "exercise.alexnet-skip": "FCN-AlexNet com skip",
    "exercise.optimizer": "otimizador: quatro casos pretrained × skip",
    "exercise.loss": "função de perda: entropia cruzada nos pixels achatados",
    "exercise.training": "treino e validação com as suas peças",
    "exercise.upsampler": "upsampling aprendido: ConvTranspose2d iniciada como bilinear",
    "exercise.class-weights": "pesos das classes: balanceamento pela mediana das frequências",
    "exercise.dice-loss": "perda de Dice",
    "exercise.vgg16-noskip": "FCN-VGG16 sem skip",
    "exercise.vgg16-skip": "FCN-VGG16 com skip",
    "exercise.vgg16-scoresum": "FCN-8s do artigo: soma dos escores de pool3, pool4 e pool5",
    "exercise.fcn_extra_backbone": "FCN-{backbone} {skip}",
    "exercise.with_skip": "com skip",
    "exercise.without_skip": "sem skip",
    # --- instructor wing: build, grade, release, site, nbgrader (instructor/) --------------------------------
    # Grading. The statuses themselves are machine values (grade.OK...); these are their labels for people.
    "grade.status_ok": "corrigido",
    "grade.status_invalid": "arquivo inválido",
    "grade.status_timed_out": "tempo esgotado",
    "grade.status_crashed": "erro na correção",
    "grade.timed_out_cpu": (
        "as verificações passaram do limite de {seconds:g} s de tempo de CPU e foram "
        "interrompidas ({attempts} tentativa(s)). Procure um laço que não termina ou um treino "
        "dentro de uma definição; se o notebook roda rápido no seu computador, avise o professor "
        "(o limite pode ser pequeno para a máquina de correção)."
    ),
    "grade.timed_out_busy": (
        "a máquina de correção estava sobrecarregada: em {wall:.0f} s de relógio as verificações "
        "só conseguiram {cpu:.0f} s de CPU ({attempts} tentativa(s)). Isto não indica um problema "
        "no seu notebook: o professor vai corrigi-lo de novo."
    ),
    "grade.timed_out_waiting": (
        "as verificações ficaram {wall:.0f} s esperando sem calcular (só {cpu:.0f} s de CPU, "
        "{attempts} tentativa(s)): alguma definição espera por algo (input(), time.sleep, "
        "um download?). Deixe nas definições só imports, funções, classes e constantes."
    ),
    "grade.child_crashed": "o processo de correção terminou com código {code}: {tail}",
    "grade.report_title": "Relatório de correção: {name}",
    "grade.invalid_heading": "Arquivo inválido",
    "grade.invalid_reason": "Não consegui ler o notebook: {error}",
    "grade.invalid_advice": (
        "O arquivo está incompleto ou corrompido (um download interrompido?): salve o "
        "notebook de novo no Jupyter ou no Colab e reenvie."
    ),
    "grade.score_one": "{passed} de {total} exercício correto.",
    "grade.score_many": "{passed} de {total} exercícios corretos.",
    "grade.challenges_heading": "Desafios (extras: não contam na nota)",
    "grade.challenges_score": "{passed} de {total} desafios resolvidos. Um desafio não resolvido não tira ponto nenhum.",
    "grade.no_code_exercises": "Este notebook não tem exercícios de código verificados automaticamente.",
    "grade.reflections_score": "Perguntas de reflexão: {answered} de {total} respondidas.",
    "grade.reflection_answered": "{label}: {question}",
    "grade.reflection_unanswered": "sem resposta: {label}: {question}",
    "grade.question_label": "Pergunta {number}",  # the notebook's own label: **2.**, **Pergunta de reflexão A**
    "grade.question_label_pattern": r"pergunta(?: de reflexão)?\s+(\w{{1,3}})\b",  # how notebooks label them
    "grade.prediction_label_pattern": r"previsão(?:\s+(\d+))?",
    "grade.predictions_label": "Previsões {numbers}",
    "grade.and_join": "{first} e {last}",
    "grade.timed_out_heading": "Tempo esgotado",
    "grade.checks_unfinished_heading": "As verificações não puderam terminar",
    "grade.cell_errors_heading": "Células com erro",
    "grade.cell_errors_intro": "Estas definições não puderam ser executadas e ficaram de fora da correção:",
    "grade.skipped_script": "ignorado (um .py que não é um notebook jupytext): {path}",
    "grade.progress": ("{status:>16}  {passed}/{total} exercícios, {answered}/{questions} respostas  {submission}"),
    # Grading hostile or broken submissions (limits, sandbox, integrity: instructor/grade*.py, sandbox.py).
    "grade.status_tampered": "para revisão manual",
    "grade.status_not_a_file": "não é um arquivo comum",
    "grade.not_a_file_heading": "Não corrigido: não é um arquivo comum",
    "grade.not_a_file_link": "é um link simbólico; a correção não segue links",
    "grade.not_a_file_folder": "é uma pasta com nome de notebook",
    "grade.not_a_file_other": "não é um arquivo comum (um dispositivo, um pipe...)",
    "grade.not_a_file_advice": "Envie o próprio arquivo .ipynb do notebook.",
    "grade.too_big": "o arquivo tem {size:.0f} MB; o limite da correção é {limit:.0f} MB",
    "grade.invalid_no_cells": "o notebook não tem a lista de células (\"cells\")",
    "grade.invalid_cell": "a célula {number} não tem o campo \"source\" ou \"cell_type\"",
    "grade.unreadable_result": "o processo de correção deixou um resultado ilegível ({error})",
    "grade.forged_result_detail": (
        "o resultado não veio do corretor: o arquivo de resultado foi escrito pelo código corrigido"
    ),
    "grade.blocked_import": (
        "{module} não está disponível na correção: as soluções de referência e o material do "
        "professor ficam de fora; use o seu próprio código"
    ),
    "grade.blocked_path": "{path}: fora da sua cópia do notebook, não acessível na correção",
    "grade.review_heading": "Para revisão manual",
    "grade.review_intro": "O professor vai revisar esta correção à mão, porque:",
    "grade.review_instructor_code": (
        "o código importa ou lê as soluções de referência (solutions) ou o material "
        "do professor, o que a correção bloqueia"
    ),
    "grade.review_private_files": (
        "o código tentou ler ou alterar arquivos fora da sua própria cópia (a pasta da "
        "turma, os relatórios, a pasta do professor)"
    ),
    "grade.review_interpreter_tools": (
        "o código usa ferramentas que podem alterar a própria correção (quadros do "
        "interpretador, módulos alterados em tempo de execução)"
    ),
    "grade.review_checks_replaced": (
        "as verificações ou as bibliotecas que elas usam foram alteradas pelo código "
        "enquanto ele era corrigido; o resultado abaixo não é confiável"
    ),
    "grade.review_forged_result": "o resultado da correção não veio do corretor",
    "grade.review_file_changed": "o arquivo enviado mudou enquanto era corrigido; ele precisa ser corrigido de novo",
    "grade.report_not_written": "                  relatório não escrito: {error}",
    # The course website.
    "site.objectives_heading": "Ao final deste notebook você consegue",
    "site.course_title": "Segmentação semântica com Fully Convolutional Networks",
    "site.instructor_title_suffix": " (versão do professor)",
    "site.instructor_warning": (
        "Esta é a versão do professor: as páginas mostram as soluções e a "
        "[rubrica]({rubric}.md). Publique para os alunos apenas o site sem soluções "
        "(`python -m fcn_course.instructor site`)."
    ),
    "site.outline_heading": "O curso, notebook por notebook",
    "site.objectives_label": "Ao final você consegue",
    "site.rubric_title": "Rubrica (versão do professor)",
    "site.rubric_intro": (
        "Cada exercício é corrigido pela verificação automática de `fcn_course.checks` "
        "(`python -m fcn_course.instructor grade NOTEBOOK`). A comparação do notebook 05 é "
        "respondida em texto e corrigida à mão."
    ),
    "site.rubric_header": ("| exercício | notebook | o que é verificado | nomes que o notebook define | obrigatório |"),
    "site.required_yes": "sim",
    "site.required_no": "não",
    "site.reference_line": (
        "Para consultar durante o curso: a [referência rápida]({page}) reúne formas, "
        "fórmulas e um glossário português ↔ inglês."
    ),
    "site.short_title": "FCN: segmentação semântica",
    "site.instructor_announcement": (
        "Versão do professor: contém as soluções e a rubrica. Não publique este site para os alunos."
    ),
    "site.intro": (
        "Um curso prático, em notebooks, de **segmentação semântica com Fully Convolutional Networks (FCNs)** em\n"
        "PyTorch sobre o **Pascal VOC 2012**. Você transforma a AlexNet e a VGG16 em FCNs, com e sem *skip\n"
        "connections*, pré-treinadas no ImageNet ou treinadas do zero, e mede a diferença com métricas corretas\n"
        "(IoU/Jaccard, mIoU, F1/Dice).\n"
        "\n"
        "O curso supõe que você já sabe treinar uma CNN de classificação em PyTorch. Cada notebook traz exercícios\n"
        "seguidos de uma verificação automática que diz, em português, o que está certo e o que falta. As páginas\n"
        "deste site mostram os notebooks executados, com as figuras; o código dos exercícios fica para você\n"
        "escrever: abra o notebook no Colab (botão no topo de cada página) ou no seu computador."
    ),
    "site.language_switch": "Esta página em:",
    "site.language_name": "Português",
    "grade.no_such_path": "{path}: arquivo ou pasta não encontrado; confira o caminho das entregas.",
    "grade.lock_not_created": (
        "{lock} não pode ser criado ({error}): escolha uma --report-dir em que você possa escrever."
    ),
    "grade.folder_busy": (
        "outra correção está escrevendo em {folder} (processo {holder}); espere ela terminar ou escolha outra "
        "--report-dir."
    ),
    "grade.earlier_grading": (
        "{folder} já tem as notas de uma correção anterior ({csv}); passe --replace para substituí-las, ou escolha "
        "outra --report-dir."
    ),
    "grade.foreign_files": (
        "{folder} tem arquivos que esta correção sobrescreveria e que nenhuma correção anterior escreveu: {files}; "
        "tire-os de lá ou escolha outra --report-dir."
    ),
    "grade.csv_not_written": "{csv} não pôde ser escrito: {error}; os relatórios listados acima estão em {folder}.",
    "grade.not_a_json_object": "o resultado não é um objeto JSON",
    "site.no_finished_run": (
        "nenhuma execução terminada do curso em {runs}: rode antes o trabalho principal (bash scripts/run_course.sh) "
        "ou indique uma pasta de execução com --from."
    ),
    "site.missing_executed": (
        "{run_dir} não tem o(s) notebook(s) executado(s) {missing}: o trabalho principal terminou lá? Rode-o de novo "
        "(bash scripts/run_course.sh) ou indique outra pasta com --from."
    ),
    "site.foreign_output": (
        "{out} existe e não foi feito pelo construtor do site; escolha outra --out ou apague essa pasta você mesmo."
    ),
    "site.solution_leak": (
        "o site dos alunos mostraria código das soluções:\n  {lines}\nNada foi escrito. Refaça os notebooks dos "
        "alunos (python -m fcn_course.instructor build) e rode o trabalho principal de novo."
    ),
    "site.no_sphinx": 'O Sphinx não está instalado: pip install -e ".[dev,instructor]"',
    "site.sphinx_failed": "o Sphinx falhou (saída {code}):\n{stderr}",
    "site.sphinx_warnings": "   avisos do Sphinx ({count}):\n   {warnings}",
    "site.kind_student": "site dos alunos",
    "site.kind_instructor": "site do instrutor (COM AS SOLUÇÕES)",
    "site.built": ">> {kind} ({languages}) construído em {seconds:.0f}s: abra {index}",
    "lms.roster_needs_id": (
        "{path}: uma lista de alunos precisa de uma coluna 'id' (e pode ter name, email, match); encontrei {found}. "
        "Acrescente a coluna id na primeira linha."
    ),
    "lms.nothing": "nada",
    "lms.grades_not_found": (
        "{path} não foi encontrado: rode antes `python -m fcn_course.instructor grade ... --report-dir {report_dir}`."
    ),
    "lms.unknown_weights": (
        "exercício(s) desconhecido(s) {unknown} nos pesos; os exercícios são: {exercises}. Corrija as chaves do "
        "arquivo de pesos."
    ),
    "lms.no_grade_column": "nenhuma coluna de nota entre {header}: indique-a com --grade-column.",
    "lms.notebooks_without_exercises": "o(s) notebook(s) {unknown} não têm exercícios; os que têm: {notebooks}.",
    "release.no_edition": (
        "o curso não tem a edição {edition} ({folder} não existe): rode `python -m fcn_course.instructor "
        "translations --lang {edition}`, traduza os catálogos e depois rode o build."
    ),
    "release.edition_notebook_missing": "{path} não existe: rode o build",
    "release.edition_page_missing": (
        "{path} não existe: a versão {edition} precisa ali da tradução de {original}; escreva-a (ou gere as "
        "traduções) e faça a versão de novo"
    ),
    "release.edition_incomplete": "a edição {edition} está incompleta:\n  {problems}",
    "release.top_file_missing": (
        "{path} não existe; a versão dos alunos precisa dele. Restaure-o no repositório do curso (git checkout -- "
        "{name})."
    ),
    "release.gives_away_solutions": (
        "a versão dos alunos entregaria soluções ({count} linha(s)):\n  {lines}\nTire essas linhas desses arquivos. "
        "Uma linha genérica que não é de fato uma solução pode ser listada em {allowlist}."
    ),
    "release.choose_another_out": "Escolha outra --out: uma pasta nova ou vazia, ou a pasta de uma versão anterior.",
    "release.out_holds_repository": (
        "--out {out} é ou contém o repositório {repo}: a versão substituiria arquivos do repositório. Nada foi "
        "alterado. {fix}"
    ),
    "release.out_inside_copied": (
        "--out {out} fica dentro de {copied}, que a versão copia do repositório {repo}. Nada foi alterado. {fix}"
    ),
    "release.out_holds_link": (
        "--out {out} contém {entry}, um link simbólico: a versão nunca grava através de links. Nada foi alterado. {fix}"
    ),
    "release.out_holds_foreign": (
        "--out {out} contém arquivos que a versão não fez ({shown}); ela só substitui a sua própria versão anterior "
        "(uma pasta {name}/ com {marker}). Nada foi alterado. Escolha outra --out: uma pasta nova ou vazia."
    ),
    "release.no_solution_notebooks": (
        "nenhum notebook de solução em {folder}: a versão dos alunos é feita a partir deles."
    ),
    "release.out_of_date": "os notebooks estão desatualizados; rode antes o build:\n  {problems}",
    "release.written": "Versão dos alunos gravada em {path}",
    "publish.no_git": "não foi possível rodar o git ({error}): instale o git e publique de novo.",
    "publish.git_failed": "`git {command}` falhou em {folder}:\n{stderr}",
    "publish.out_in_repository": (
        "{out} é, contém ou fica dentro do repositório do curso {repo}: o repositório dos alunos vai numa pasta só "
        "dele. Nada foi alterado."
    ),
    "publish.out_foreign": (
        "{out} contém arquivos que o `publish` não escreveu (nenhum .git com {marker}); escolha uma pasta nova ou "
        "vazia. Nada foi alterado."
    ),
    "publish.uncommitted": (
        "{out} tem mudanças não registradas (commit); a próxima publicação as substituiria. O repositório dos alunos "
        "é gerado: faça a mudança no repositório do curso e depois publique (ou registre ou descarte as mudanças lá "
        "antes). Nada foi alterado."
    ),
    "publish.colab_elsewhere": (
        'no Colab, os notebooks abrem e instalam de github.com/{configured}, não de {repository}: escreva REPOSITORY '
        '= "{repository}" em fcn_course/colab.py, rode `python -m fcn_course.instructor build`, registre (commit) e '
        'publique de novo. Nada foi alterado.'
    ),
    "publish.unchanged": "{out}: a versão dos alunos não mudou desde a última publicação; nada foi registrado.",
    "publish.committed": (
        "Repositório dos alunos registrado em {out}. Para publicá-lo (na primeira vez, crie antes o repositório "
        "público github.com/{target}):\n  cd {out}\n{remote}  git push -u origin {branch}"
    ),
    "instructor.no_repository": (
        'erro: o repositório do curso (uma pasta com {solutions}/) não foi encontrado em {package_root} nem em '
        '{cwd}. Rode os comandos do instrutor a partir de um clone do repositório do curso, instalado com: pip '
        'install -e ".[dev,instructor]"'
    ),
    "mathjax.not_installed": (
        'O MathJax das páginas offline vem do pacote \'jupyter-server-mathjax\', que não está instalado. Instale as '
        'ferramentas do instrutor: pip install -e ".[dev,instructor]"'
    ),
    "mathjax.file_missing": (
        "{path} não existe: reinstale o jupyter-server-mathjax (pip install --force-reinstall jupyter-server-mathjax)."
    ),
    "sandbox.unknown_mode": "sandbox deve ser um de {choices}, não {mode!r}.",
    "sandbox.no_bwrap": (
        "--sandbox bwrap: o bubblewrap (bwrap) não está instalado ou não consegue criar seus namespaces aqui; "
        "instale-o (Debian/Ubuntu: apt-get install bubblewrap) ou use --sandbox none"
    ),
    "grade.zygote_not_started": "o processo-modelo (zygote) da correção não começou",
    "grade.zygote_ended": "o processo-modelo (zygote) da correção terminou",
    "grade.zygote_failed": "o processo-modelo (zygote) da correção falhou: {error}",
    "grade.zygote_fallback": "correção: {error}; esta entrega roda num processo novo",
    "markers.begin_not_alone": (
        "linha {number}: '{begin}' deve ficar sozinho na sua linha, opcionalmente seguido de ': <dica>'; veio {line!r}"
    ),
    "markers.nested": (
        "linha {number}: '{begin}' dentro da região aberta na linha {opened} (regiões não podem ser aninhadas; "
        "acrescente '{end}' antes dele)"
    ),
    "markers.end_not_alone": "linha {number}: '{end}' deve ficar sozinho na sua linha; veio {line!r}",
    "markers.end_without_begin": "linha {number}: '{end}' sem um '{begin}' antes dele",
    "markers.where_alone": "sozinha na linha",
    "markers.where_inside": "dentro de uma região '{begin}'",
    "markers.hint_misplaced": (
        "linha {number}: uma linha de dica ('{hint}' ou '{skeleton}') deve estar {where}; veio {line!r}"
    ),
    "markers.empty_hint": "linha {number}: '{hint}' sem uma dica depois dele",
    "markers.never_closed": "linha {number}: '{begin}' nunca é fechado por '{end}'",
    "translation.unknown_folders": (
        "{folder} tem a(s) pasta(s) {unknown}, que não são línguas do catálogo de mensagens além de {default} "
        "({languages}): acrescente antes o catálogo fcn_course/messages/<língua>.py, ou apague a pasta"
    ),
    "translation.unreadable": "não consigo ler o catálogo de tradução {path}: {error}",
    "translation.invalid": (
        "{path} não é um catálogo gettext válido: {error}. Corrija-o (ou apague-o e rode `python -m "
        "fcn_course.instructor translations` para gerá-lo de novo)"
    ),
    "translation.source_language_notebooks": (
        "{default} é a língua em que os notebooks são escritos: não há nada para traduzir; escolha outra língua com "
        "--lang"
    ),
    "translation.source_language_pages": (
        "{default} é a língua em que as páginas são escritas: não há nada para traduzir; escolha outra língua com "
        "--lang"
    ),
    "translation.catalogue_missing": (
        "{path} não existe: rode `python -m fcn_course.instructor translations --lang {edition}` e traduza as "
        "entradas dele"
    ),
    "course.edition_missing": (
        "os notebooks de solução {edition} {missing} não existem: rode `python -m fcn_course.instructor translations "
        "--lang {edition}`, traduza os catálogos de solutions/locale/{edition}/ e depois `python -m "
        "fcn_course.instructor build`"
    ),
    # what `check` (instructor/sync.py) lists as out of date, each line with its fix
    "sync.file_missing": "{path} não existe: rode o build",
    "sync.pair_out_of_sync": "{ipynb} e {source} estão dessincronizados (as células diferem): rode o build",
    "sync.student_differs": "{path} difere do que {source} gera: rode o build",
    "sync.edition_differs": "{path} difere do que a solução e o catálogo de tradução geram: rode o build",
    "sync.page_differs": "{path} difere do que {page} e {catalogue} geram: rode o build",
    "sync.orphan_student": (
        "{path} não tem notebook de solução em {solutions} e não está no roteiro do curso: apague-o, ou escreva "
        "{solutions}/{name}.py e acrescente '{name}' a COURSE_NOTEBOOKS em {outline}"
    ),
    "sync.stale_include": "{source}: {problem}: rode o build",
    "sync.include_differs": "{label} difere de {file}",
    "course.outline_missing": (
        "{path} não existe, mas COURSE_NOTEBOOKS em {outline} o nomeia: escreva-o, ou tire '{name}' do roteiro"
    ),
    "course.outline_stray": (
        "{path} não é um notebook do curso: acrescente '{name}' a COURSE_NOTEBOOKS em {outline} (na ordem de "
        "leitura) para construí-lo e publicá-lo, ou tire-o de {folder}/"
    ),
    "course.outline_mismatch": "os notebooks de solução não correspondem ao roteiro do curso:\n  {problems}",
    "colab.origin_no_git": (
        '{setting} é {origin!r}, mas não foi possível rodar o git ({error}); escreva ali o repositório como "dono/nome"'
    ),
    "colab.origin_not_github": (
        '{setting} é {origin!r}, mas `git remote get-url origin` em {repo_root} dá {found}, que não é um repositório '
        'do GitHub: o Colab só abre notebooks do GitHub. Escreva ali o repositório como "dono/nome".'
    ),
    "colab.bad_repository": (
        '{setting} é {setting_value!r}: escreva um repositório do GitHub como "dono/nome" (ou {origin!r})'
    ),
    "nbgrader.check_key_not_literal": (
        "uma célula de verificação chama {call}: o primeiro argumento deve ser a chave de um exercício registrado "
        "(fcn_course.checks.exercises())"
    ),
    "nbgrader.one_points_tag": "{cell}: escreva uma única tag {prefix}<número inteiro de pontos>; encontrei {values}",
    "nbgrader.points_tag_misplaced": (
        "{cell}: uma tag {prefix} vai numa resposta de reflexão ou numa célula de verificação; o nbgrader não "
        "corrige esta"
    ),
    "nbgrader.link": (
        "{link} é um link simbólico: a exportação nunca grava através de links. Nada foi gravado ali; troque o link "
        "por uma pasta, ou exporte para outra pasta."
    ),
    "nbgrader.edited": (
        "{path} já existe e difere da exportação (editado no nbgrader?); tire-o de lá ou exporte para outra pasta"
    ),
    "nbgrader.not_built": (
        "os notebooks de solução {edition} não estão construídos ({missing}): complete as traduções e depois rode o "
        "build (`python -m fcn_course.instructor check` lista o que falta)"
    ),
    "nbgrader.no_solution_notebooks": "nenhum notebook de solução em {folder}: a exportação é feita a partir deles.",
    "course.smoke_failed": "{label} falhou ao rodar no modo smoke:\n{error}",
    "course.include_misplaced": "{cell}: uma tag include vai numa célula de código, e só uma por célula",
    "course.include_missing": (
        "{label}: o arquivo incluído {relative!r} não existe; a tag include recebe um caminho relativo à raiz do "
        "repositório, por exemplo 'include:solutions/fcn_alexnet.py'"
    ),
    "course.hint_gives_answer": (
        "{label}: a dica {hint!r} entrega a resposta (ela contém a linha da solução {line!r}); diga o que usar ou "
        "por quê, e deixe a linha para o aluno"
    ),
    "course.student_not_python": (
        "{label}: a versão do aluno não é Python válido ({error}, linha {line}). O '{begin}' está indentado como o "
        "código que ele substitui?\n--- versão do aluno ---\n{source}"
    ),
    # --- Desafios (checks/challenges.py) -------------------------------------------------------------------------
    "exercise.miou-per-image": "mIoU por imagem contra mIoU do conjunto",
    "exercise.min-input-size": "o menor tamanho de entrada de uma rede",
    "exercise.focal-loss": "focal loss ignorando o void",
    "exercise.whole-image": "predição na imagem inteira, de qualquer tamanho",
    "checks.challenges.case_images": "{images} imagens, {classes} classes",
    "checks.challenges.not_a_number": "com {case}, a função devolveu {kind}; devolva um número (float).",
    "checks.challenges.wrong_miou": "com {case}, a média das mIoUs por imagem deveria ser {expected}, mas deu {value}. {hint}",
    "checks.challenges.hint_dataset_miou": (
        "Esse é a mIoU do conjunto (uma matriz para todas as imagens): o desafio pede uma matriz por imagem, "
        "a mIoU de cada uma e a média dessas mIoUs."
    ),
    "checks.challenges.hint_absent_as_zero": (
        "Uma classe que não aparece numa imagem (nem no rótulo nem na predição) entrou como 0: deixe-a fora "
        "da média daquela imagem (NaN e np.nanmean)."
    ),
    "checks.challenges.hint_void_counted": (
        "Os pixels void (255) entraram na conta como fundo: ignore-os, como a ConfusionMatrix faz."
    ),
    "checks.challenges.hint_miou_formula": (
        "Confira os passos: para cada imagem, uma matriz de confusão sem os pixels void; IoU = TP/(TP+FP+FN) "
        "de cada classe, NaN para as ausentes; a mIoU da imagem é a média sem os NaN; no fim, a média das imagens."
    ),
    "checks.challenges.case_probe": "uma rede de teste com padding e dilatação",
    "checks.challenges.wrong_size": "para {case}, o menor lado aceito é {expected}, mas a função devolveu {value}. {hint}",
    "checks.challenges.hint_off_by_one": (
        "Errou por um: confira o arredondamento para baixo (//) de cada camada e se a saída de 1×1 é aceita."
    ),
    "checks.challenges.case_gamma": "γ = {gamma}",
    "checks.challenges.focal_not_scalar": "com {case}, a perda deveria ser um tensor com um único número (a média).",
    "checks.challenges.wrong_focal": "com {case}, a focal loss deveria ser {expected}, mas deu {value}. {hint}",
    "checks.challenges.hint_focal_no_factor": (
        "Com γ > 0 ela deu a entropia cruzada: falta o fator (1 − p_t)^γ, que diminui o peso dos pixels fáceis."
    ),
    "checks.challenges.hint_focal_formula": (
        "Confira: p_t é a probabilidade (softmax) da classe certa de cada pixel; a perda do pixel é "
        "−(1 − p_t)^γ · log p_t; a média é só sobre os pixels que não são void."
    ),
    "checks.challenges.focal_no_gradient": (
        "com {case}, a perda não tem gradiente: não use .item(), .detach() nem NumPy no meio da conta."
    ),
    "exercise.multiply-adds": "quantas contas as convoluções de uma rede fazem",
    "checks.challenges.case_macs": "{network} com entrada {side}×{side}",
    "checks.challenges.wrong_macs": "para {case}, as convoluções fazem {expected} multiplicações-e-somas, mas a função devolveu {value}. {hint}",
    "checks.challenges.hint_macs_parameters": (
        "Esse é o número de pesos das convoluções: cada peso é usado uma vez em cada posição da saída, então "
        "multiplique pelo número de posições (lado da saída ao quadrado) de cada camada."
    ),
    "checks.challenges.hint_macs_formula": (
        "Confira: acompanhe o lado do mapa camada a camada (os poolings também o reduzem) e, em cada "
        "Conv2d, some lado_da_saída² × out_channels × (in_channels / groups) × área do kernel; devolva um int."
    ),
    "checks.challenges.probe_refuses": "esta rede só aceita lados múltiplos de 32, e recebeu {size}",
    "checks.challenges.case_image": "uma imagem {height}×{width}",
    "checks.challenges.wrong_whole_shape": (
        "com {case}, os escores deveriam ter a forma {expected} (o tamanho da imagem), mas têm {shape}: "
        "depois de prever na imagem ampliada com padding, recorte de volta ao tamanho original."
    ),
    "checks.challenges.wrong_whole_values": (
        "com {case}, a forma está certa mas os escores não batem com os da imagem original: recorte "
        "exatamente a região em que a imagem foi colocada (padding à direita e embaixo: [..., :H, :W]); "
        "redimensionar a imagem muda os pixels e não serve."
    ),
    # --- concept checks (quiz.py): quiz.<key>.question / .right / .option.<l> / .why.<l> -------------------------
    "quiz.heading": "🧠 Teste rápido: {question}",
    "quiz.option_line": "   {letter}) {option}",
    "quiz.how_to_answer": (
        "Sem widgets aqui: responda em texto, numa célula, com quiz.ask(\"{key}\", resposta=\"{letter}\") "
        "(troque a letra pela sua escolha)."
    ),
    "quiz.check_button": "Conferir",
    "quiz.choose_first": "Escolha uma opção antes de conferir.",
    "quiz.right_answer": "✅ Isso mesmo, ({letter}). {why}",
    "quiz.wrong_answer": "❌ A ({letter}) não é a resposta. {why} Pense de novo e tente outra opção.",
    "quiz.not_an_option": "'{answer}' não é uma das opções: responda com uma destas letras: {letters}.",
    "quiz.unknown": "Não há teste rápido com a chave '{key}'. As chaves que existem: {keys}.",
    "quiz.two_answers": "quiz.ask() recebe uma resposta só: use resposta= ou answer=, não os dois.",
    # 01: void in the IoU
    "quiz.void-iou.question": (
        "Num rótulo do Pascal VOC, um pixel vale 255 (void) e a rede o prediz como ônibus. "
        "Como esse pixel entra na IoU do ônibus?"
    ),
    "quiz.void-iou.right": "c",
    "quiz.void-iou.option.a": "Como um falso positivo do ônibus: o rótulo não diz ônibus ali.",
    "quiz.void-iou.option.b": "Como um falso negativo do fundo: a borda de um objeto é fundo.",
    "quiz.void-iou.option.c": "Não entra: o pixel fica fora da matriz de confusão.",
    "quiz.void-iou.option.d": "Como meio acerto: a borda é metade ônibus, metade fundo.",
    "quiz.void-iou.why.a": (
        "Isso trata o 255 como se fosse uma classe que a rede errou. Void quer dizer \"não sabemos a "
        "resposta\" (bordas, regiões ambíguas): não há como a rede errar ali."
    ),
    "quiz.void-iou.why.b": (
        "Era o erro do curso original: void virava fundo. Assim a rede é punida (e, no treino, ensinada) "
        "a chamar de fundo justamente as bordas dos objetos."
    ),
    "quiz.void-iou.why.c": (
        "Void é \"resposta desconhecida\": o pixel é ignorado na métrica (ignore_index=255 da "
        "ConfusionMatrix) e na perda (CrossEntropyLoss(ignore_index=255)). Não conta nem a favor nem contra."
    ),
    "quiz.void-iou.why.d": (
        "A IoU conta pixels inteiros, sem frações, e o 255 não diz de que classes a borda é feita: "
        "ele diz que não sabemos. O pixel é simplesmente deixado de fora."
    ),
    # 01: dataset-level vs per-image IoU
    "quiz.dataset-miou.question": (
        "Numa validação de 100 imagens, você tira a média das IoUs da pessoa calculadas imagem por imagem; "
        "uma colega calcula a IoU da pessoa com uma única matriz de confusão somada nas 100 imagens. Os "
        "números diferem. Qual frase está certa?"
    ),
    "quiz.dataset-miou.right": "b",
    "quiz.dataset-miou.option.a": "A média por imagem é sempre mais otimista: ela esconde os erros grandes.",
    "quiz.dataset-miou.option.b": "Uma dá o mesmo peso a cada imagem, a outra a cada pixel: são medidas diferentes.",
    "quiz.dataset-miou.option.c": "Deviam dar o mesmo número; a diferença vem de arredondamentos.",
    "quiz.dataset-miou.option.d": "A média por imagem é a certa: na matriz única, imagens grandes dominam.",
    "quiz.dataset-miou.why.a": (
        "Depende dos dados: no exemplo B do notebook, perder uma pessoa minúscula zera a IoU daquela imagem "
        "e a média por imagem fica bem abaixo da IoU do conjunto (0,50 contra 0,96)."
    ),
    "quiz.dataset-miou.why.b": (
        "Na média por imagem, um objeto de 2 pixels pesa tanto quanto um de 2000; na matriz única, cada "
        "pixel pesa o mesmo. São números diferentes, que não se comparam: o curso e os artigos usam a "
        "matriz única do conjunto."
    ),
    "quiz.dataset-miou.why.c": (
        "A média de razões não é a razão das somas: (1/2 + 1/1)/2 = 0,75, mas (1+1)/(2+1) = 0,67. A "
        "diferença é de definição, não de arredondamento."
    ),
    "quiz.dataset-miou.why.d": (
        "Nenhuma das duas é \"a certa\" em geral, mas elas respondem perguntas diferentes, e a que se "
        "compara com artigos (e com o treino do curso) é a da matriz única. A média por imagem é outra medida."
    ),
    # 01: recall is not IoU
    "quiz.recall-not-iou.question": (
        "Uma \"rede\" pinta a imagem inteira de ônibus. Numa imagem em que o ônibus ocupa 10% dos pixels, "
        "quanto valem TP/(TP+FN) e a IoU do ônibus?"
    ),
    "quiz.recall-not-iou.right": "d",
    "quiz.recall-not-iou.option.a": "As duas valem 1,0: todo pixel de ônibus foi encontrado.",
    "quiz.recall-not-iou.option.b": "As duas valem 0,1: só 10% da predição está certa.",
    "quiz.recall-not-iou.option.c": "TP/(TP+FN) vale 0,1 e a IoU vale 1,0.",
    "quiz.recall-not-iou.option.d": "TP/(TP+FN) vale 1,0 e a IoU vale 0,1.",
    "quiz.recall-not-iou.why.a": (
        "TP/(TP+FN) (a revocação) vale mesmo 1,0, porque não olha os falsos positivos. A IoU olha: os 90% "
        "pintados de ônibus por engano entram no denominador."
    ),
    "quiz.recall-not-iou.why.b": (
        "0,1 é a fração certa da predição (a precisão) e também a IoU; mas TP/(TP+FN) só pergunta quantos "
        "pixels de ônibus foram achados: todos."
    ),
    "quiz.recall-not-iou.why.c": (
        "Os papéis estão trocados: é a revocação que ignora os falsos positivos (e fica em 1,0), e a IoU que os pune."
    ),
    "quiz.recall-not-iou.why.d": (
        "Todo pixel de ônibus foi achado (FN = 0, revocação 1,0), mas a IoU divide os TP pela união "
        "TP+FP+FN, que é a imagem inteira: 0,1. Por isso o curso original, que dividia pelo rótulo, dava "
        "nota máxima a essa \"rede\"."
    ),
    # 02: what the stride of the coarse output means
    "quiz.stride-32.question": (
        "Com uma entrada de 224×224, o pool5 da AlexNet sai com 6×6 posições e stride 32. O que esse "
        "stride 32 quer dizer?"
    ),
    "quiz.stride-32.right": "b",
    "quiz.stride-32.option.a": "Cada posição do mapa depende de um bloco de 32×32 pixels da imagem.",
    "quiz.stride-32.option.b": "Duas posições vizinhas do mapa estão a 32 pixels uma da outra na imagem.",
    "quiz.stride-32.option.c": "O mapa tem 32 vezes menos posições do que a imagem tem pixels.",
    "quiz.stride-32.option.d": "Ele deveria ser 37, porque 224/6 ≈ 37; o 32 é uma aproximação.",
    "quiz.stride-32.why.a": (
        "Isso confunde stride com campo receptivo. Cada posição do pool5 depende de uma janela de 195×195 "
        "pixels, quase a imagem inteira; o 32 é o passo entre posições vizinhas."
    ),
    "quiz.stride-32.why.b": (
        "O stride acumulado é o produto dos strides das camadas (4·2·2·2 = 32): andar uma posição no mapa "
        "é andar 32 pixels na imagem. Por isso a saída precisa ser ampliada 32 vezes (FCN-32s)."
    ),
    "quiz.stride-32.why.c": (
        "O stride vale por lado: 32 na altura e 32 na largura, isto é, cerca de 32² = 1024 vezes menos "
        "posições do que pixels."
    ),
    "quiz.stride-32.why.d": (
        "224/6 ≈ 37 mistura o stride com os efeitos de borda (kernels e padding que não cabem inteiros). "
        "O stride é exato: o produto dos strides das camadas, 32."
    ),
    # 02: why a convolution replaces the fully connected layer
    "quiz.conv-replaces-fc.question": (
        "Por que a FCN troca as camadas totalmente conectadas do classificador por convoluções "
        "(o mesmo cálculo, com os mesmos pesos)?"
    ),
    "quiz.conv-replaces-fc.right": "a",
    "quiz.conv-replaces-fc.option.a": "Para aplicar o classificador em cada posição e aceitar qualquer tamanho.",
    "quiz.conv-replaces-fc.option.b": "Porque uma convolução tem bem menos parâmetros que a camada FC.",
    "quiz.conv-replaces-fc.option.c": "Porque a convolução devolve a saída já no tamanho da imagem.",
    "quiz.conv-replaces-fc.option.d": "Porque uma camada FC não pode ser treinada por gradiente em segmentação.",
    "quiz.conv-replaces-fc.why.a": (
        "Uma FC é uma convolução cujo filtro cobre o mapa inteiro. Como convolução, ela desliza: num mapa "
        "maior devolve um mapa de escores, um vetor de classes por posição, em vez de um só vetor."
    ),
    "quiz.conv-replaces-fc.why.b": (
        "Com os mesmos pesos, a contagem é a mesma (a FC de 9216 entradas vira um filtro 256×6×6). A troca "
        "não economiza parâmetros: ela muda onde o cálculo pode ser aplicado."
    ),
    "quiz.conv-replaces-fc.why.c": (
        "A convolução mantém a resolução grossa das features (6×6 para 224×224, stride 32). Voltar ao tamanho "
        "da imagem é outro passo: a ampliação (bilinear ou convolução transposta)."
    ),
    "quiz.conv-replaces-fc.why.d": (
        "Uma FC se treina por gradiente como qualquer camada. O problema dela é outro: exige um vetor de "
        "tamanho fixo e achata o mapa, jogando fora onde cada coisa está."
    ),
    # 02: what a skip connection adds
    "quiz.skip-adds.question": "O que a skip connection (as features do pool1 levadas até o classificador) acrescenta à FCN?",
    "quiz.skip-adds.right": "c",
    "quiz.skip-adds.option.a": "Um campo receptivo maior, porque a rede passa a ter mais camadas.",
    "quiz.skip-adds.option.b": "Dispensa a ampliação: com a skip, os escores já saem no tamanho da imagem.",
    "quiz.skip-adds.option.c": "Features de resolução mais fina, que dizem melhor onde ficam as bordas.",
    "quiz.skip-adds.option.d": "Sobretudo um remédio para o gradiente que some, como nas ResNets.",
    "quiz.skip-adds.why.a": (
        "É o contrário: as features do pool1 têm campo receptivo pequeno (19 pixels). O contexto vem das "
        "camadas profundas; a skip traz detalhe, não contexto."
    ),
    "quiz.skip-adds.why.b": (
        "Com a skip os escores saem em 27×27 (stride 8) em vez de 6×6, mas ainda precisam ser ampliados 8 "
        "vezes até 224×224."
    ),
    "quiz.skip-adds.why.c": (
        "As camadas profundas sabem o que há na imagem; as rasas, de stride 8, sabem onde ficam as bordas. "
        "Combinando as duas, o mapa final sai mais nítido e objetos pequenos sobrevivem."
    ),
    "quiz.skip-adds.why.d": (
        "O atalho encurta, sim, o caminho do gradiente, mas a motivação do artigo é o detalhe espacial: a "
        "FCN-32s perde contornos e objetos pequenos, e a skip os devolve."
    ),
    # 03 (upsampling and losses): transposed convolution output size
    "quiz.transposed-size.question": (
        "Uma ConvTranspose2d(kernel_size=4, stride=2, padding=1) recebe um mapa 7×7. De que tamanho é a saída?"
    ),
    "quiz.transposed-size.right": "b",
    "quiz.transposed-size.option.a": "3×3",
    "quiz.transposed-size.option.b": "14×14",
    "quiz.transposed-size.option.c": "15×15",
    "quiz.transposed-size.option.d": "16×16",
    "quiz.transposed-size.why.a": (
        "Essa é a conta da convolução comum, ⌊(7 + 2·1 − 4)/2⌋ + 1 = 3. A transposta faz o caminho inverso: ela amplia."
    ),
    "quiz.transposed-size.why.b": (
        "(H − 1)·s − 2p + k = 6·2 − 2 + 4 = 14: exatamente o dobro. Kernel 2s com padding s/2 é a receita "
        "de uma ampliação de s vezes sem sobras."
    ),
    "quiz.transposed-size.why.c": (
        "O padding é tirado dos dois lados da saída: subtraia 2p, não p. (H − 1)·s − 2p + k = 12 − 2 + 4 = 14."
    ),
    "quiz.transposed-size.why.d": (
        "Faltou o padding: na transposta ele corta p linhas de cada lado da saída, 12 + 4 − 2 = 14."
    ),
    # 03: what a transposed convolution initialised as bilinear does before training
    "quiz.bilinear-init.question": (
        "Uma ConvTranspose2d de stride 2, kernel 4, com um canal de entrada e um de saída por classe, é "
        "iniciada com pesos bilineares. Antes de qualquer treino, o que ela faz?"
    ),
    "quiz.bilinear-init.right": "a",
    "quiz.bilinear-init.option.a": "A interpolação bilinear 2×, canal por canal, sem misturar classes.",
    "quiz.bilinear-init.option.b": "Nada de útil: é só um ponto de partida; quem amplia é o treino.",
    "quiz.bilinear-init.option.c": "Repete cada escore num bloco 2×2 (vizinho mais próximo).",
    "quiz.bilinear-init.option.d": "Amplia e mistura as classes, cada saída uma média de todas as entradas.",
    "quiz.bilinear-init.why.a": (
        "Com o kernel bilinear (a \"tenda\" 1/4, 3/4, 3/4, 1/4 em cada eixo) no canal c → c e zeros entre "
        "canais diferentes, a camada já faz a interpolação bilinear (longe das bordas, o mesmo que "
        "F.interpolate(..., mode=\"bilinear\")). O treino só ajusta a partir daí."
    ),
    "quiz.bilinear-init.why.b": (
        "A iniciação bilinear é uma ampliação completa desde o primeiro passo: mesmo congelada, a camada já "
        "amplia como a interpolação. Pesos aleatórios, esses sim, começariam sem utilidade."
    ),
    "quiz.bilinear-init.why.c": (
        "Esse é o kernel 2×2 de uns (stride 2). O kernel bilinear de lado 4 se sobrepõe aos vizinhos e "
        "pondera pela distância, o que dá transições suaves em vez de blocos."
    ),
    "quiz.bilinear-init.why.d": (
        "Os pesos entre canais diferentes começam em zero: o escore do ônibus é ampliado a partir do "
        "escore do ônibus, não de uma média com a pessoa e o fundo."
    ),
    # 03: median-frequency class weights
    "quiz.median-frequency.question": (
        "O fundo ocupa 75% dos pixels, a pessoa 20% e o ônibus 5%. Quais são os pesos pela mediana das "
        "frequências, peso_c = mediana / freq_c?"
    ),
    "quiz.median-frequency.right": "c",
    "quiz.median-frequency.option.a": "fundo 0,75; pessoa 0,20; ônibus 0,05",
    "quiz.median-frequency.option.b": "fundo 1,33; pessoa 5; ônibus 20",
    "quiz.median-frequency.option.c": "fundo 0,27; pessoa 1; ônibus 4",
    "quiz.median-frequency.option.d": "fundo 1/3; pessoa 1/3; ônibus 1/3",
    "quiz.median-frequency.why.a": (
        "Esses são as próprias frequências: dariam ainda mais peso ao fundo, que já domina a perda. O peso "
        "é o inverso da frequência."
    ),
    "quiz.median-frequency.why.b": (
        "Esses são 1/freq: a proporção entre as classes está certa, mas falta multiplicar pela mediana "
        "(0,20). Com ela, a classe de frequência mediana pesa 1 e a perda fica na escala da perda sem pesos, "
        "comparável com ela (com SGD, uma escala 5 vezes maior agiria como uma taxa de aprendizado 5 vezes maior)."
    ),
    "quiz.median-frequency.why.c": (
        "A mediana é 0,20: 0,20/0,75 ≈ 0,27, 0,20/0,20 = 1 e 0,20/0,05 = 4. A classe típica pesa 1, as "
        "raras pesam mais, as comuns menos, e a escala da perda continua a de sempre."
    ),
    "quiz.median-frequency.why.d": (
        "Pesos iguais não balanceiam nada: dividir a perda por 3 só muda a escala. O peso precisa depender "
        "da frequência de cada classe."
    ),
    # 04 (VGG16): what pretrained weights change
    "quiz.pretrained-change.question": (
        "Você treina a mesma FCN-VGG16 duas vezes: partindo dos pesos da ImageNet e partindo de pesos "
        "aleatórios (Kaiming). O que muda entre as duas?"
    ),
    "quiz.pretrained-change.right": "d",
    "quiz.pretrained-change.option.a": "A arquitetura: a versão pré-treinada tem as camadas da ImageNet a mais.",
    "quiz.pretrained-change.option.b": "Nada que importe: a ImageNet é de classificação, não de segmentação.",
    "quiz.pretrained-change.option.c": "A pré-treinada já conhece ônibus e pessoa: o classificador novo nem precisa treinar.",
    "quiz.pretrained-change.option.d": "Só o ponto de partida: o backbone já extrai bordas, texturas e partes.",
    "quiz.pretrained-change.why.a": (
        "As duas redes têm exatamente as mesmas camadas e o mesmo número de parâmetros; só os valores "
        "iniciais dos pesos do backbone diferem."
    ),
    "quiz.pretrained-change.why.b": (
        "As features da ImageNet (bordas, texturas, partes de objetos) servem para qualquer tarefa visual: "
        "é o transfer learning. O artigo só não treina do zero porque levaria tempo demais."
    ),
    "quiz.pretrained-change.why.c": (
        "As camadas de escore das 3 classes são novas e começam sem saber nada; e saber classificar a "
        "imagem inteira não é saber onde está cada pixel. Todas as camadas novas precisam treinar."
    ),
    "quiz.pretrained-change.why.d": (
        "A rede e o treino são os mesmos; muda de onde o backbone começa. Com poucas imagens (centenas), "
        "partir de features prontas costuma aprender mais rápido e generalizar melhor."
    ),
    # 04 (VGG16): parameters are not what costs time
    "quiz.params-vs-compute.question": (
        "A FCN-VGG16 do curso tem bem menos parâmetros que os 134 M da FCN do artigo, e mesmo assim um passo "
        "de treino dela leva cerca de 21 vezes o da FCN-AlexNet. Por quê?"
    ),
    "quiz.params-vs-compute.right": "c",
    "quiz.params-vs-compute.option.a": "Porque o tempo de um passo cresce com o número de parâmetros.",
    "quiz.params-vs-compute.option.b": "Porque filtros 3×3 são mais lentos de calcular que filtros 11×11.",
    "quiz.params-vs-compute.option.c": "Porque as convoluções trabalham em alta resolução: são muitas contas.",
    "quiz.params-vs-compute.option.d": "Porque carregar os pesos pré-treinados da VGG16 demora mais.",
    "quiz.params-vs-compute.why.a": (
        "O tempo não segue o número de parâmetros: a fc6 da VGG16 tem mais de 100 M de pesos e custa poucas "
        "contas (é aplicada numa posição só); uma convolução 3×3 de poucos pesos, aplicada em 224×224 "
        "posições, custa muito."
    ),
    "quiz.params-vs-compute.why.b": (
        "Cada filtro 3×3 faz menos contas por posição que um 11×11. O custo vem de quantas posições e "
        "canais cada camada processa: a VGG16 mantém a imagem grande por muitas camadas."
    ),
    "quiz.params-vs-compute.why.c": (
        "O custo de uma convolução é pesos × posições da saída. A VGG16 reduz a imagem aos poucos, então "
        "13 convoluções trabalham em mapas grandes (224×224, 112×112...); a AlexNet reduz 4 vezes logo na "
        "primeira camada."
    ),
    "quiz.params-vs-compute.why.d": (
        "Os pesos são carregados uma vez, antes do treino; o tempo medido é de cada passo de treino, e é "
        "o mesmo com pesos pré-treinados ou aleatórios."
    ),
    # 05 (comparison): best.pt's score is optimistic
    "quiz.best-checkpoint.question": (
        "Você guardou o best.pt na época de maior mIoU de validação e relata essa mesma mIoU como o "
        "desempenho do modelo. Qual é o problema?"
    ),
    "quiz.best-checkpoint.right": "a",
    "quiz.best-checkpoint.option.a": "O número é otimista: escolher o máximo de muitas medidas usa a validação.",
    "quiz.best-checkpoint.option.b": "Nenhum: a validação não entrou no treino, então o número é honesto.",
    "quiz.best-checkpoint.option.c": "O best.pt é sempre um modelo com overfitting.",
    "quiz.best-checkpoint.option.d": "A mIoU final deveria ser medida no conjunto de treino.",
    "quiz.best-checkpoint.why.a": (
        "Entre 50 épocas, a melhor é em parte a que teve sorte naquelas imagens. O conjunto que escolhe o "
        "modelo não mede o modelo escolhido: para um número honesto, avalie num terceiro conjunto (teste)."
    ),
    "quiz.best-checkpoint.why.b": (
        "Os pesos não viram a validação, mas a escolha da época viu: você pegou o máximo de 50 medidas "
        "ruidosas no mesmo conjunto, e o máximo de medidas ruidosas é puxado para cima."
    ),
    "quiz.best-checkpoint.why.c": (
        "É o contrário: a época de melhor validação costuma ser anterior ao overfitting. O problema é "
        "relatar a mesma medida que fez a escolha."
    ),
    "quiz.best-checkpoint.why.d": (
        "No treino a rede decora as imagens: a mIoU de treino é a mais otimista de todas. O número honesto "
        "vem de imagens que nem o treino nem a escolha do modelo usaram."
    ),
    # 05: one change at a time
    "quiz.one-change.question": (
        "Para saber se o upsampling aprendido ajuda, alguém compara \"AlexNet com skip, upsampling "
        "aprendido e aumento de dados\" com \"AlexNet sem skip\". A melhora observada prova o quê?"
    ),
    "quiz.one-change.right": "c",
    "quiz.one-change.option.a": "Que o upsampling aprendido ajuda: ele é a novidade da comparação.",
    "quiz.one-change.option.b": "Que as três mudanças ajudam, cada uma um terço da melhora.",
    "quiz.one-change.option.c": "Que o pacote ajuda, mas não qual mudança: três coisas mudaram juntas.",
    "quiz.one-change.option.d": "Nada, porque comparações só valem no conjunto de treino.",
    "quiz.one-change.why.a": (
        "Mudaram três coisas (skip, upsampling, aumento de dados); a melhora pode vir só da skip. Para "
        "atribuir o ganho a uma opção, mude só ela e mantenha todo o resto igual."
    ),
    "quiz.one-change.why.b": (
        "Os efeitos não se dividem em partes iguais, nem se somam em geral: uma mudança pode ajudar sozinha "
        "e atrapalhar junto de outra. Só comparações de uma mudança por vez dizem isso."
    ),
    "quiz.one-change.why.c": (
        "Com três mudanças ao mesmo tempo, a comparação não diz qual delas fez a diferença. Por isso o "
        "notebook compara as opções novas uma de cada vez, todas na mesma AlexNet com skip."
    ),
    "quiz.one-change.why.d": (
        "Comparações se fazem na validação, com as mesmas imagens para as duas redes; o defeito aqui é outro: "
        "três mudanças de uma vez."
    ),
    "markers.default_goal": "Complete este trecho: veja o enunciado do exercício acima.",
    "markers.answer_placeholder": "_Escreva sua resposta aqui._",
    "numbers.thousands_separator": ".",
    "hints.heading": ("**Dicas** (abra uma de cada vez, só quando precisar: a seguinte aparece dentro da anterior)"),
    "hints.tier": "Dica {number}",
    "hints.skeleton": "Esqueleto (complete os `...`)",
    "hints.region": "**Trecho {number}:** {goal}",
    # --- work-lang block: files, settings and profiles (files, config, profiles, environment) ------------------
    "files.damaged_json": (
        "{path} não é um JSON válido ({error}): {what} está danificado. Apague-o (ele é escrito de novo "
        "na próxima execução) ou restaure-o de uma cópia."
    ),
    "files.what.file": "o arquivo",
    "files.what.run_description": "a descrição do treino",
    "files.what.run_outcome": "o resultado do treino",
    "files.what.training_history": "o histórico do treino",
    "files.what.grid_index": "o índice da grade",
    "profiles.full": "Pascal VOC 2012 com as configurações do curso original",
    "profiles.demo": "conjunto sintético, dimensionado para mostrar a FCN aprendendo em poucos minutos numa CPU",
    "profiles.smoke": "conjunto sintético mínimo: só confere que cada célula roda (não aprende nada)",
    "config.profile_and_smoke_disagree": (
        "course_args recebeu profile={profile} e smoke={smoke}, que não combinam; passe só um dos dois."
    ),
    "config.unknown_profile": "perfil {profile} desconhecido; escolha um de {choices}.",
    "environment.unknown_profile": (
        "{variable}={value!r} não é um perfil do curso; escolha um de {choices} (por exemplo {variable}=demo)."
    ),
    "config.unknown_settings": (
        "configuração(ões) desconhecida(s): {unknown}. As configurações do curso são {known} "
        "(por exemplo course_args(epoch_num=10))."
    ),
    "config.default_profile_reason": "padrão (nenhuma variável de ambiente escolheu outro perfil)",
    "config.reason_by_hand": "escolhido à mão",
    "config.data_synthetic": "conjunto sintético (imitação do VOC gerada pelo curso)",
    "config.data_voc": "Pascal VOC 2012 em {root}",
    "config.profile_line": (
        "Perfil '{profile}' ({reason}): {description}.\n"
        "  dados: {data}; {epochs} épocas, recortes {height}x{width}, lote {batch}, lr {lr:g}, "
        "pretrained={pretrained}."
    ),
    # --- work-lang block: the comparison grid and its report (experiments, report) ----------------------------
    "grid.already_finished": "== {name}: já terminado ({epochs} épocas, {status}); reaproveitado de {run_dir}",
    "grid.reused": "== {name}: já treinado antes com as mesmas configurações em {run_dir}; não é treinado de novo",
    "grid.skipped": "== {name}: PULADO ({reason})",
    "grid.skipped_weights": (
        "== {name}: PULADO, os pesos do ImageNet não puderam ser carregados (o relatório diz por quê)"
    ),
    "grid.diverged": "== {name}: DIVERGIU: {error}",
    "grid.failed": "== {name}: FALHOU: {error}",
    "grid.failed_reason": "{error}. Apague {run_dir} para treinar esta configuração de novo do zero.",
    "grid.finished": "== grade terminada em {seconds:.0f} s: {outcomes}",
    "grid.smoke_shrunk": "perfil smoke: a grade roda com {settings}",
    "grid.no_model_class": (
        "model_classes não tem classe para {missing}; passe por exemplo {{'alexnet': FCN_AlexNet, 'vgg16': FCN_VGG16}}."
    ),
    "grid.notebooks_lack": (
        "{notebooks} não definem {names}; passe os notebooks em que você os escreveu (02 e 04; o 03 tem o upsampling e os pesos das classes) com --models."
    ),
    "grid.unknown_backbones": "erro: backbone(s) desconhecido(s) {unknown}; escolha entre {choices}",
    "grid.only_defined": "seus notebooks definem as FCNs de: {backbones}; a grade roda só essas",
    "grid.no_local_weights": (
        "o perfil {profile} nunca baixa nada: não há uma cópia local de {file} (ponha-a no cache do torch hub "
        "ou em {weights_env} para rodar esta configuração)"
    ),
    # the grid's table (notebook 05, report.md): column headers and labels of the runs' statuses (machine values)
    "grid.column_configuration": "configuração",
    "grid.column_status": "situação",
    "grid.column_best_miou": "melhor mIoU(fg)",
    "grid.column_best_epoch": "melhor época",
    "grid.column_final_miou": "mIoU(fg) final",
    "grid.column_dice": "Dice(fg)",
    "grid.column_pixel_accuracy": "acurácia de pixel",
    "grid.column_parameters": "parâmetros",
    "grid.column_seconds_per_epoch": "s/época",
    "grid.status_done": "concluído",
    "grid.status_skipped": "pulado",
    "grid.status_diverged": "divergiu",
    "grid.status_failed": "falhou",
    "grid.report_written": "relatório: {path}",
    "report.title": "Grade de comparação: backbone x conexões de atalho (skip) x pesos pré-treinados",
    "report.shared_settings": (
        "Configurações comuns: {epochs} épocas, recortes de {height}x{width} px, lote {batch}, lr {lr}, "
        "weight decay {weight_decay}, classes {classes}, max_samples {max_samples}, seed {seed}, dados {root}"
    ),
    "report.profile_suffix": " (perfil {profile})",
    "report.own_settings": (
        "Os treinos de **{backbone}** usaram configurações próprias neste perfil: {settings} (compare com e "
        "sem skip dentro de um backbone, não entre backbones)."
    ),
    "report.scores_explained": (
        "Notas no conjunto de validação; mIoU(fg) = média das IoUs das classes, sem o fundo. A IoU por "
        "classe, o Dice(fg) e a acurácia de pixels são os da melhor época."
    ),
    "report.unfinished_heading": "Treinos que não terminaram",
    "report.note": "Observação: {note}",
    "report.figures_heading": "Figuras",
    "report.curves_alt": "curvas de aprendizado",
    "report.per_class_alt": "IoU por classe",
    "report.predictions_alt": "previsões",
    "report.qualitative_not_written": "qualitative.png não foi escrito: {error}",
    "report.no_best_checkpoint": "nenhum treino terminado tem um best.pt",
    "report.no_model_classes": ("a grade foi carregada sem as classes dos modelos: passe model_classes para load_grid"),
    "report.empty_validation": "o conjunto de validação está vazio",
    # --- work-lang block: the student command line (__main__, experiments, predict) ---------------------------
    "cli.error": "erro: {error}",
    "cli.description": (
        "Comandos do aluno do curso de FCN. Rode `python -m fcn_course <comando> --help` para ver as opções de cada um."
    ),
    "cli.epilog": (
        "Só para o professor: {commands} rodam no repositório do curso, como "
        "`python -m fcn_course.instructor <comando>`."
    ),
    "cli.instructor_only": (
        "'{command}' é um comando do professor: ele não faz parte do pacote dos alunos. No repositório do "
        "curso, rode: python -m fcn_course.instructor {command}"
    ),
    "cli.synth": "escreve o gêmeo sintético do VOC (dados offline na mesma estrutura de pastas do VOCdevkit)",
    "cli.root": "pasta que vai conter VOCdevkit/",
    "cli.synth_train": "número de imagens de treino (padrão: 32)",
    "cli.synth_val": "número de imagens de validação (padrão: 12)",
    "cli.synth_seed": "semente do gerador: a mesma semente dá as mesmas imagens (padrão: 0)",
    "cli.synth_written": "VOC sintético escrito em {root}",
    "cli.download": "baixa e extrai o Pascal VOC 2012 (cerca de 2 GB)",
    "cli.download_root": "pasta que vai conter VOCdevkit/ (padrão: ${data_env} ou ~/fcn_course_data)",
    "cli.download_replace": (
        "extrai de novo também os arquivos do pacote que já estão em VOCdevkit/VOC2012: isso sobrescreve "
        "as imagens, máscaras e listas do próprio VOC (o que você editou nelas se perde). Arquivos e pastas "
        "que não estão no pacote (como SegmentationClassAug/) são sempre mantidos. Sem esta opção, só os "
        "arquivos que faltam são adicionados."
    ),
    "cli.voc_ready": "O Pascal VOC 2012 está pronto em {root}",
    "cli.grid": (
        "treina a grade de comparação (backbone x skip x pretrained) com os seus modelos (--models "
        "NOTEBOOK...; padrão: seus notebooks 02, 03 e 04 em ./notebooks)"
    ),
    "cli.predict": "segmenta as suas próprias imagens com um checkpoint treinado e os seus modelos (--models NOTEBOOK...)",
    "cli.grid.description": (
        "Treina a grade de comparação (backbone x skip x pretrained) com as suas classes FCN, o seu "
        "otimizador e a sua loss (dos seus notebooks 02, 03 e 04) e mostra a tabela do relatório. Rodar de novo "
        "com o mesmo --out reaproveita os treinos terminados e continua os interrompidos."
    ),
    "cli.grid.profile": "perfil de execução (padrão: {profile_env}, senão full)",
    "cli.grid.smoke": (
        "o perfil smoke, reduzido ainda mais (no máximo {epochs} épocas, {size} px, {images} imagens por "
        "divisão): um ou dois minutos numa CPU"
    ),
    "cli.grid.epochs": "épocas por treino (padrão: as do perfil)",
    "cli.grid.size": "lado do recorte quadrado, em pixels (padrão: o do perfil)",
    "cli.grid.max_samples": "usa só as N primeiras imagens de cada divisão",
    "cli.grid.backbones": "separados por vírgula, entre: {choices}",
    "cli.grid.scratch_only": "deixa de fora os treinos com pesos pré-treinados",
    "cli.grid.out": "pasta de saída (padrão: ${runs_env}/grid, ou grid-smoke com --smoke)",
    "cli.grid.models": (
        "os notebooks que definem as suas classes FCN, make_optimizer, compute_loss e make_criterion "
        "(padrão: {notebooks})"
    ),
    "cli.grid.quiet": "sem barras de progresso",
    "cli.predict.description": (
        "Segmenta as suas próprias imagens com um checkpoint de FCN treinado; para cada imagem escreve "
        "<nome do arquivo>_mask.png (PNG com a paleta do Pascal VOC) e <nome do arquivo>_overlay.png, por "
        "exemplo foto.jpg_mask.png."
    ),
    "cli.predict.checkpoint": "best.pt ou last.pt escrito pelo treino (engine.fit ou a grade)",
    "cli.predict.images": "um arquivo de imagem ou uma pasta de imagens",
    "cli.predict.out": "pasta de saída (padrão: predictions); não pode ser a pasta das imagens de entrada",
    "cli.predict.size": (
        "redimensiona para SIZE x SIZE antes da rede (padrão: o tamanho da própria imagem, a escala em que "
        "a rede foi treinada: os recortes de treino não são redimensionados)"
    ),
    "cli.predict.device": "cpu, cuda ou mps (padrão: o mais rápido disponível)",
    "cli.predict.alpha": "opacidade das cores na sobreposição",
    "cli.predict.models": "os notebooks que definem as suas classes FCN (padrão: {notebooks})",
    "outline.no_model_notebooks": "nenhum notebook indicado e nenhum encontrado em ./{folder}: use --models {notebooks}",
    # --- work-lang block: the reference training script (scripts/train.py) -------------------------------------
    "train.description": (
        "Treina uma configuração de FCN (soluções de referência) no Pascal VOC ou no gêmeo sintético, "
        "conforme o perfil."
    ),
    "train.backbone": "a rede base (backbone) da FCN (padrão: alexnet)",
    "train.skip": "conexões de atalho (skip): none (FCN-32s), 8s ou 16s (padrão: 8s)",
    "train.pretrained": "começa o backbone dos pesos do ImageNet (padrão do perfil full)",
    "train.scratch": "inicialização aleatória (padrão dos perfis demo e smoke)",
    "train.profile": "perfil de execução (padrão: o do ambiente)",
    "train.smoke": "o mesmo que --profile smoke",
    "train.epochs": "número de épocas (args['epoch_num'])",
    "train.lr": "taxa de aprendizado (learning rate)",
    "train.size": "lado do recorte quadrado que entra na rede (w_size = h_size)",
    "train.batch_size": "imagens por lote (batch)",
    "train.max_samples": "mantém no máximo este número de imagens por divisão",
    "train.seed": "semente dos números aleatórios (padrão: a do perfil)",
    "train.download": "baixa o Pascal VOC quando ele não está lá",
    "train.run_dir": "pasta deste treino (criada)",
    "train.resume": "continua o treino de --run-dir a partir de last.pt",
    "train.no_progress": "esconde as barras de progresso",
    "train.resume_needs_run_dir": "--resume precisa de --run-dir (a pasta que contém last.pt)",
    "train.run_exists": (
        "erro: {run_dir} já contém um treino: passe --resume para continuá-lo, ou escolha outra --run-dir "
        "(nada foi alterado)"
    ),
    "train.run_folder": "pasta do treino: {run_dir}",
    "train.data_line": "treino: {train} imagens, validação: {val} imagens, dispositivo: {device}",
    "train.model_line": "{model} skip={skip} pretrained={pretrained}: {parameters} parâmetros",
    "train.results_in": "resultados em {run_dir}",
    # --- work-lang block: the instructor's command line (instructor/__main__) ----------------------------------
    "instructor_cli.description": (
        "Comandos do professor: python -m fcn_course.instructor <comando>, rodados no repositório do curso.\n"
        "\n"
        "  course   roda todos os notebooks de solução; notebooks executados e HTML vão para uma pasta de execução\n"
        "  build    atualiza os notebooks de solução a partir de solutions/*.py e gera de novo os dos alunos\n"
        "  check    falha quando os notebooks, seus pares .py ou as versões dos alunos se afastaram\n"
        "  grade    corrige notebooks entregues pelos alunos (nunca os modifica)\n"
        "  export-grades  notas que um AVA aceita (uma linha por aluno, planilha e zip de feedback do Moodle)\n"
        "  release  monta a pasta e o zip da versão dos alunos (sem soluções, sem ferramentas do professor)\n"
        "  publish  a versão dos alunos como um repositório git próprio, para publicar onde alunos e Colab leem\n"
        "  site     o site do curso a partir dos notebooks executados de uma pasta de execução\n"
        "  grid     a grade de comparação com os modelos de referência (ou os de um aluno, com --models)\n"
        "  predict  segmenta imagens com um checkpoint e os modelos de referência (ou --models NOTEBOOK...)\n"
        "\n"
        "Rode python -m fcn_course.instructor <comando> --help para ver as opções de cada um."
    ),
    "instructor_cli.lang": "língua dos relatórios, dos rótulos do CSV e do feedback das verificações (padrão: {default})",
    "instructor_cli.course": "roda todos os notebooks de solução; notebooks executados e HTML vão para uma pasta de execução",
    "instructor_cli.course.profile": (
        "perfil de execução (padrão: full quando o Pascal VOC é encontrado, senão demo: o gêmeo sintético, "
        "dimensionado para mostrar as FCNs aprendendo em minutos numa CPU)"
    ),
    "instructor_cli.course.smoke": (
        "o mesmo que --profile smoke: configurações mínimas, cada célula roda em segundos, nada é aprendido"
    ),
    "instructor_cli.course.out": "pasta de execução (padrão: runs/course-<data e hora>)",
    "instructor_cli.course.no_site": "não monta o site do curso no final (veja o comando site)",
    "instructor_cli.course.cell_timeout": (
        "interrompe um notebook cuja célula roda por mais que isso (padrão: sem limite, para que uma máquina "
        "lenta ou ocupada ainda termine o curso)"
    ),
    "instructor_cli.course.lang": (
        "a língua dos notebooks executados: solutions/notebooks/ em pt_BR, solutions/notebooks/<língua>/ nas "
        "traduções, executados em <pasta de execução>/<língua>/ (padrão: {default})"
    ),
    "instructor_cli.build": (
        "atualiza os notebooks de solução a partir de solutions/*.py e gera de novo os notebooks dos alunos"
    ),
    "instructor_cli.build.execute": (
        "executa de novo os notebooks de solução (smoke) para atualizar as saídas verificadas"
    ),
    "instructor_cli.build.force": "sobrescreve notebooks dos alunos editados à mão (uma cópia de segurança é guardada)",
    "instructor_cli.translations": "escreve os catálogos que um tradutor preenche (solutions/locale/<língua>/*.po)",
    "instructor_cli.translations.description": (
        "Lê os notebooks de solução e escreve, para a língua pedida, um catálogo gettext por notebook em "
        "solutions/locale/<língua>/, e um por página dos alunos (README.md, referencia.md) em "
        "solutions/locale/<língua>/pages/: trechos novos ficam vazios, os que mudaram em português ficam marcados "
        "'fuzzy' com a tradução antiga ao lado. Abra os arquivos num editor de traduções (Poedit, Weblate) ou "
        "de texto, traduza, tire a marca 'fuzzy' e rode o build. Sai com 1 enquanto faltar alguma tradução."
    ),
    "instructor_cli.translations.line": "{path}: {total} trechos, {missing} sem tradução, {stale} desatualizados",
    "instructor_cli.build_refused": "build recusado, nada foi escrito: {error}",
    "instructor_cli.check": "falha quando os notebooks, seus pares .py ou as versões dos alunos se afastaram",
    "instructor_cli.in_sync": "notebooks sincronizados",
    "instructor_cli.out_of_sync": (
        "{count} problema(s); cada um diz como corrigi-lo (quase sempre: rode `{prog} build`)"
    ),
    "instructor_cli.grade": "corrige notebooks entregues pelos alunos (nunca os modifica)",
    "instructor_cli.grade.description": (
        "Corrige notebooks dos alunos: arquivos, ou pastas em que se procuram .ipynb. Cada entrega RODA "
        "CÓDIGO DE ALUNO num processo próprio (limites de tempo, memória, CPU, tamanho de arquivo e "
        "processos, HOME e pasta de trabalho temporárias, ambiente mínimo, modo smoke; dentro de uma "
        "sandbox bubblewrap onde ela funciona). Um relatório Markdown por entrega e um CSV da turma "
        "(grades.csv) vão para --report-dir. Código de saída 1 quando alguma entrega tem um exercício "
        "errado, um arquivo ilegível, uma falha, um tempo esgotado ou um motivo para revisão manual (veja "
        "--exit-zero); 2 quando nada foi corrigido (um caminho não existe, a pasta de relatórios foi "
        "recusada ou está travada)."
    ),
    "instructor_cli.grade.submissions": "notebooks ou pastas de notebooks",
    "instructor_cli.grade.report_dir": (
        "pasta dos relatórios e do grades.csv, criada se faltar (padrão: grading-reports)"
    ),
    "instructor_cli.grade.replace": (
        "substitui as notas e os relatórios de uma correção anterior em --report-dir (recusado sem esta opção)"
    ),
    "instructor_cli.grade.timeout": (
        "segundos de tempo de CPU permitidos por entrega, tentados duas vezes antes de um tempo esgotado "
        "ser relatado (padrão: 300, fcn_course.instructor.grade.DEFAULT_TIMEOUT; um limite de relógio de 4 "
        "vezes isso interrompe uma entrega que espera sem calcular)"
    ),
    "instructor_cli.grade.jobs": "entregas corrigidas ao mesmo tempo (padrão: 1)",
    "instructor_cli.grade.sandbox": (
        "bwrap: sem rede, arquivos só de leitura exceto a pasta temporária da correção, pastas da turma "
        "escondidas; none: só os limites e a proteção em Python; auto (padrão): bwrap quando funciona aqui"
    ),
    "instructor_cli.grade.no_zygote": (
        "inicia um novo processo Python para cada entrega em vez de criá-lo (fork) a partir de um já importado, o zigoto (Linux; com bwrap o zigoto roda dentro do sandbox; poupa ~6 s de CPU por entrega)"
    ),
    "instructor_cli.grade.memory_limit": "espaço de endereçamento permitido por entrega, em GiB (padrão: 8; 0: sem limite)",
    "instructor_cli.grade.exit_zero": (
        "sai com 0 mesmo quando alguma entrega falhou (para scripts que só querem os relatórios)"
    ),
    "instructor_cli.grade.lang": (
        "língua de todos os relatórios e do feedback das verificações (padrão: a língua de cada entrega, a "
        "que a célula de configuração do Colab dá a FCN_COURSE_LANG; {default} quando ela não dá nenhuma)"
    ),
    "instructor_cli.graded": (
        "{count} entrega(s) corrigida(s), {problems} com exercício errado, erro ou motivo para revisão "
        "manual; relatórios e {csv} em {folder}"
    ),
    "instructor_cli.export": "notas que um AVA aceita: uma linha por aluno, planilha do Moodle, feedback",
    "instructor_cli.export.description": (
        "Lê REPORT_DIR/grades.csv (escrito por grade) e escreve em REPORT_DIR/lms: students.csv (uma "
        "linha por aluno, nota numérica pelos pesos dos exercícios), moodle_grading_worksheet.csv ('Enviar "
        "planilha de notas' do Moodle) e moodle_feedback_files.zip ('Enviar múltiplos arquivos de feedback "
        "em um zip' do Moodle) quando as entregas vieram do download do Moodle, e feedback/<aluno>/. Veja "
        "fcn_course/instructor/lms.py e o README."
    ),
    "instructor_cli.export.report_dir": "a --report-dir de grade (contém grades.csv e os relatórios)",
    "instructor_cli.export.out": "pasta de saída (padrão: REPORT_DIR/lms)",
    "instructor_cli.export.roster": (
        "CSV da turma: id (obrigatório), name, email, match (texto nos caminhos do aluno)"
    ),
    "instructor_cli.export.weights": "pontos por exercício: CSV 'exercise,points' ou JSON {{exercise: points}}",
    "instructor_cli.export.weight": (
        "pontos de um exercício (repetível; vale depois de --weights); padrão: os pontos do registro"
    ),
    "instructor_cli.export.notebooks": "notebooks do curso que contam, separados por vírgula (padrão: os entregues)",
    "instructor_cli.export.scale": "a nota máxima (padrão: 10)",
    "instructor_cli.export.excel": (
        "students.csv para o Excel em português: separador ';', vírgula decimal, UTF-8 com BOM"
    ),
    "instructor_cli.export.moodle_worksheet": (
        "a planilha de notas baixada da tarefa do Moodle: preenchida, não escrita do zero"
    ),
    "instructor_cli.export.grade_column": "a coluna de nota da planilha (padrão: Grade, Nota...)",
    "instructor_cli.release": "monta a pasta e o zip da versão dos alunos (sem soluções, sem ferramentas do professor)",
    "instructor_cli.release.out": (
        "pasta de saída (padrão: dist/fcn-course-student no repositório; dist/fcn-course-student-<idioma> "
        "com --lang de outro idioma)"
    ),
    "instructor_cli.release.nbgrader": (
        "escreve também uma pasta de curso do nbgrader: DIR/source/<notebook>/<notebook>.ipynb"
    ),
    "instructor_cli.released": "versão dos alunos: {folder}",
    "instructor_cli.release_refused": "release recusado: {error}",
    "instructor_cli.nbgrader_refused": "exportação para o nbgrader recusada: {error}",
    "instructor_cli.release.lang": (
        "o idioma da versão dos alunos: seus notebooks, README e página de referência, nos lugares dos "
        "notebooks/ em português (padrão: {default}); com --nbgrader, também o idioma dos notebooks exportados"
    ),
    # The text of the marker file in every release folder (release.RELEASE_MARKER), in the release's language.
    "release.marker_file": (
        "Esta pasta foi escrita por `python -m fcn_course.instructor release`; o próximo release a substitui.\n"
        "Não guarde seus próprios arquivos aqui.\n"
    ),
    # nbgrader replaces a solution region by its own stub; this comment keeps the region's goal above it.
    "nbgrader.goal_comment": "# Objetivo: {goal}",
    "instructor_cli.publish": "a versão dos alunos como um repositório git próprio (sem solutions/)",
    "instructor_cli.publish.description": (
        "Monta a versão dos alunos (como release: busca de vazamentos, notebooks atualizados) e faz um "
        "commit exatamente dos seus arquivos em FOLDER, um repositório git próprio: nova ou vazia na "
        "primeira vez, depois a pasta da publicação anterior. Cada edição traduzida vai junto, em "
        "notebooks/<idioma>/, onde o selo do Colab dos seus notebooks os abre. Nada é enviado (push): os "
        "comandos para enviar são mostrados."
    ),
    "instructor_cli.publish.folder": "o repositório dos alunos (uma pasta nova na primeira vez)",
    "instructor_cli.publish.repository": (
        "o repositório do GitHub para onde você vai enviar: recusado se o selo do Colab e a célula de "
        "preparação dos notebooks não o citam (REPOSITORY em fcn_course/colab.py, depois build)"
    ),
    "instructor_cli.publish_refused": "publish recusado: {error}",
    "instructor_cli.site": "o site do curso a partir dos notebooks executados de uma pasta de execução",
    "instructor_cli.site.from": "uma pasta de execução do job principal (padrão: a runs/course-* terminada mais nova)",
    "instructor_cli.site.instructor": ("o site do professor: com soluções e rubrica (nunca o publique para os alunos)"),
    "instructor_cli.site.out": "pasta de saída (padrão: RUN_FOLDER/site ou RUN_FOLDER/site-instructor)",
    "instructor_cli.site_not_built": "site não montado: {error}",
    "instructor_cli.grid": "grade de comparação com os modelos de referência (ou --models NOTEBOOK...)",
    "instructor_cli.predict": "segmenta imagens com um checkpoint e os modelos de referência",
    # --- work-lang block: the instructor's summary of export-grades (instructor/lms) ----------------------------
    "lms.students": "{count} aluno(s): {path}",
    "lms.not_handed_in": "não entregue",
    "lms.points": "{points} de {maximum} pontos",
    "lms.worksheet": "planilha de notas do Moodle ({rows} linha(s) com nota): {path}",
    "lms.feedback_zip": "zip de arquivos de feedback do Moodle: {path}",
    "lms.feedback_dir": "relatórios por aluno: {path}",
    "lms.unmatched": "fora da lista da turma (corrigidos com os próprios nomes): {names}",
    # The main job (fcn_course/instructor/course.py): what the instructor reads while the course runs
    "course.not_run": "!! o curso não foi executado: {reason}",
    "course.refused": "!! o curso não foi executado: {reason}\nNada foi executado nem escrito.",
    "course.data_voc": "Pascal VOC em {root}",
    "course.data_synthetic": "o VOC sintético",
    "course.cell_limit": "{seconds} s por célula",
    "course.no_cell_limit": "sem limite de tempo por célula",
    "course.start": ">> executando o curso de solução com o perfil '{profile}' ({description}; {data}; {limit}); resultados em {out}",
    "course.notebook_start": ">> [{number}/{total}] {name} ...",
    "course.notebook_failed": "!! {name} falhou: {error}",
    "course.notebook_done": "   pronto em {took} s (curso até aqui: {so_far} s) -> {path} (+ .html)",
    "course.finished": ">> curso terminado em {took} s; abra {out} para ler os notebooks executados",
    "course.slow_no_limit": "As células não têm limite de tempo, então ele vai terminar",
    "course.slow_limit": "As células param depois de {seconds} s (--cell-timeout): deixe a opção de fora para que toda célula termine",
    "course.slow_machine": "!! esta máquina é cerca de {ratio}x mais lenta que a máquina de referência ({name} levou {took} s aqui, {expected} s numa CPU de 2 núcleos). Nesse ritmo, o curso inteiro leva cerca de {minutes} min em vez de {reference_minutes}. {limit}; feche outros programas para ir mais rápido, ou rode --profile smoke para só conferir que toda célula roda.",
    "course.site_start": ">> montando o site do curso (versão do aluno) ...",
    "course.site_failed": "!! o site do curso não foi montado: {error}",
    "course.summary_heading": ">> resultados de validação de cada treino do curso (melhor época; no perfil smoke os números não significam nada):",
    "course.summary_header": "   | treino | melhor época | mIoU(fg) | IoU por classe |",
    "course.skip_gain": "   ganho do skip {run}: {gain} mIoU(fg) ({without} -> {with_skip})",
}
